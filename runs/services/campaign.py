"""Stopping a campaign: one run over promotions of any kind, its read-back and its follow-up.

`campaign_run_create()` makes one run of a mix of kinds (vouchers, discounts, bundle deals,
add-on deals, follow prizes, shop flash sales): an ongoing promotion is ended (a shop flash sale
switched off), an upcoming one deleted. What the user may not do (`promotions.permissions.may`
per action and kind), what shopadmin already ended or deleted, what Shopee manages and a shop to
reconnect are skipped items with their reason; shops outside the user's teams are left out. The
run engine then reads Shopee's lists and sends through each item's kind plug-in.

`campaign_read_back()` runs when the run's calls are done: it reads the involved shops' lists of
the involved kinds again and keeps in the run's `read_report` (per shop: `still_live`) what of
the campaign Shopee still has live, for instance created meanwhile or a discount that had run
less than an hour. `campaign_follow_up()` makes a run of those, in one click.
"""

from django.db import transaction
from django.utils import timezone

from promotions.permissions import may
from runs.models import EndRun, EndRunItem, ItemAction, ItemState, RunStatus
from runs.services.campaign_plan import SKIP_MAY_NOT_DELETE, SKIP_MAY_NOT_END
from runs.services.create import SKIP_SHOP_REAUTH, EmptySelection
from runs.services.fresh import run_kinds
from runs.services.queue import run_enqueue
from runs.services.reads import kinds_read
from runs.services.records import records_of
from shops.models import Shop
from shops.services.access import shops_visible
from vouchers.services.kinds.voucher import SKIP_ALREADY_DELETED, SKIP_ALREADY_ENDED

STILL_LIVE_SHOWN = 200  # per shop in the read report; the count covers all


def campaign_run_create(
    *,
    selection: str,
    user=None,
    items: list | None = None,
    rule: dict | None = None,
    plan=None,
    actor=None,
) -> EndRun:
    """Create a run over `items` ((kind name, record) pairs: a Voucher or a Promotion) for
    `user`, queued after commit; or over a preview's `plan` (`campaign_plan.CampaignPlan`, for
    `actor`): its entries to do, and its skipped ones with their reasons. `rule` (the campaign's
    terms: kinds, shops, words, window) makes the run's read also take in what matches it at
    Shopee then, and its read-back report what is still live. One transaction; the items are
    written by one INSERT. Raises EmptySelection, creating nothing, when none of the items is
    of the user's shops."""
    user = user or actor
    entries = _entries(items, plan)
    shops = set(shops_visible(user).values_list("pk", flat=True))
    entries = [entry for entry in entries if entry[1].shop_id in shops]
    if not entries:
        raise EmptySelection("No promotion of your shops is selected.")
    now = timezone.now()
    reauth = set(
        Shop.objects.filter(
            pk__in={record.shop_id for _, record, _ in entries}, needs_reauth_since__isnull=False
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        run = EndRun.objects.create(
            created_by=user,
            created_by_username=user.get_username(),
            selection=selection[:500],
            status=RunStatus.QUEUED,
            delete_upcoming=True,
            rule=rule,
        )
        rows = [_item(run, user, now, reauth, *entry) for entry in entries]
        EndRunItem.objects.bulk_create(rows, batch_size=1000)
        transaction.on_commit(lambda: run_enqueue(run_id=run.pk))
    return run


def _entries(items, plan) -> list:
    """(kind name, record, reason decided beforehand) of the items or of the plan's entries."""
    if plan is not None:
        return [(entry.kind, entry.record, entry.skip) for entry in plan.entries()]
    return [(name, record, "") for name, record in items or ()]


def _item(run, user, now, reauth, kind_name, record, skip) -> EndRunItem:
    records = records_of(kind_name)
    kind = records.kind
    action = ItemAction.DELETE if now < record.start_time else kind.end_action
    reason = skip or _final_skip(records, record, reauth)
    if not reason and not may(user, action, kind.name):
        reason = SKIP_MAY_NOT_DELETE if action == ItemAction.DELETE else SKIP_MAY_NOT_END
    item = EndRunItem(
        run=run,
        kind=kind.name,
        shop_id=record.shop_id,
        voucher_shopee_id=records.shopee_id(record),
        voucher_code=records.label(record)[:100],
        original_end_time=record.end_time,
        action=action,
    )
    setattr(item, records.item_fk, record.pk)
    if reason:
        item.state, item.reason, item.finished_at = ItemState.SKIPPED, reason, now
    return item


def _final_skip(records, record, reauth) -> str:
    """The skips Shopee's current word cannot change (as `create.final_skip_conditions`)."""
    if record.ended_at is not None:
        return SKIP_ALREADY_ENDED
    if record.deleted_at is not None:
        return SKIP_ALREADY_DELETED
    if records.fields(record)["shopee_managed"]:
        return records.kind.skip_shopee_managed
    if record.shop_id in reauth:
        return SKIP_SHOP_REAUTH
    return ""


def campaign_read_back(*, run: EndRun, client=None, on_tick=None) -> list | None:
    """Once no item of `run` is open: read the lists of the run's kinds for its shops again
    and store per shop what of the campaign is still live (`still_live`: kind, Shopee id,
    label, status; `still_live_count`), or why a kind could not be read (`read_back_errors`).
    Returns the still-live entries, or None while items are open. Reads through the
    dispatcher (no transaction held); one UPDATE of the run after."""
    if run.items.filter(state__in=(ItemState.PENDING, ItemState.SENDING)).exists():
        return None
    shop_pks = set(run.items.exclude(shop=None).values_list("shop_id", flat=True))
    shop_pks |= set((run.rule or {}).get("shops") or [])
    shops = list(Shop.objects.filter(pk__in=shop_pks).order_by("name", "pk"))
    results = kinds_read(
        shops=shops,
        kinds=run_kinds(run),
        actor=run.created_by,
        actor_label=run.created_by_username,
        client=client,
        batch_id=run.public_id,
        on_tick=on_tick,
    )
    current = EndRun.objects.filter(pk=run.pk).values_list("read_report", flat=True).first()
    report = {entry.get("shop"): entry for entry in current or []}
    found = []
    at = timezone.now()
    for result in results:
        entry = report.setdefault(str(result.shop), {"shop": str(result.shop), "ok": True})
        entry["read_back_at"] = at.isoformat()
        entry.setdefault("still_live", [])
        if not result.ok:
            entry.setdefault("read_back_errors", {})[result.kind.name] = str(result.error)
            continue
        for live in _still_live(run, result):
            found.append(live)
            entry["still_live"].append(live)
    for entry in report.values():
        if "still_live" in entry:
            entry["still_live_count"] = len(entry["still_live"])
            entry["still_live"] = entry["still_live"][:STILL_LIVE_SHOWN]
    EndRun.objects.filter(pk=run.pk).update(read_report=list(report.values()))
    run.read_report = list(report.values())
    return found


def _still_live(run, result) -> list:
    """What Shopee lists live now (ongoing or upcoming) of the result's shop and kind that the
    campaign covers: its rule's matches, or else its items' promotions."""
    records = records_of(result.kind.name)
    listed = {int(shopee_id): status for shopee_id, status in result.listed.items()}
    queryset = records.queryset().filter(
        shop=result.shop, **{f"{records.id_field}__in": list(listed)}
    )
    if run.is_campaign:
        queryset = records.rule_matches(queryset, run.rule)
    else:
        mine = run.items.filter(kind=records.kind.name).values(records.item_fk)
        queryset = queryset.filter(pk__in=mine)
    live = []
    for record in queryset.order_by("start_time", "pk"):
        status = listed[records.shopee_id(record)]
        if status not in ("ongoing", "upcoming"):
            continue  # listed, but not live (a flash sale switched off)
        live.append(
            {
                "kind": records.kind.name,
                "pk": record.pk,
                "id": records.shopee_id(record),
                "label": records.label(record),
                "status": status,
                "shopee_managed": records.fields(record)["shopee_managed"],
            }
        )
    return live


def campaign_still_live(run: EndRun, *, actionable: bool = True) -> list:
    """The read-back's still-live promotions of `run` as (kind name, record) pairs (without
    those Shopee manages, which no run can stop, unless `actionable` is False)."""
    pairs = []
    for entry in run.read_report or []:
        for live in entry.get("still_live") or []:
            if actionable and live.get("shopee_managed"):
                continue
            records = records_of(live["kind"])
            record = records.model.objects.filter(pk=live["pk"]).first()
            if record is not None:
                pairs.append((live["kind"], record))
    return pairs


def campaign_follow_up(*, run: EndRun, user) -> EndRun | None:
    """A run over what the read-back of `run` found still live, for `user` (with the same
    rule, so its own read takes in what matches then); None when nothing is still live."""
    items = campaign_still_live(run)
    if not items:
        return None
    selection = f"Follow-up of run {run.pk}: what was still live at Shopee after it"
    try:
        return campaign_run_create(user=user, items=items, rule=run.rule, selection=selection)
    except EmptySelection:
        return None
