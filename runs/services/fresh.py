"""A run decides on Shopee's word: before anything is sent, it reads its shops' current lists.

`run_read()` runs first in a run's processing (and again if a worker died before it finished):
it reads the ongoing and upcoming promotions of every kind and shop involved from Shopee (each
kind's list call, paged, shops side by side with the engine's pacing and retries, each page in
the call log), saves them, and decides each pending item on that state:

- a promotion Shopee lists neither as ongoing nor as upcoming is not live: skipped, saying so;
  unless a write of ours for it is in flight (sent, answer lost): the kind's `get` settles it
  first;
- one that Shopee's list shows as managed by Shopee is skipped before any call;
- an upcoming one is skipped, or deleted when the run deletes upcoming ones;
- an ongoing one is ended, or switched off (one that was to be deleted but has started is
  ended instead); the kind's own rules (a discount ends only an hour after its start) are
  applied when its call is prepared (`steps.py`);
- with an end time to set at Shopee (vouchers): set when Shopee allows it (at least an hour
  after the start, and earlier than its current end); a voucher that starts less than an hour
  before is moved to a follow-up run scheduled at that time, which ends it with our scheduler.

A rule run ("every ongoing voucher of these shops whose code starts with ...", or a campaign:
these kinds in these shops) gets its items here, from the fresh lists, so a promotion created
since the last read is included. Each item records when Shopee's word was read. A shop whose
list of a kind cannot be read fails its items of that kind with that reason: nothing is sent for
them, and nothing of them is skipped silently.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Case, CharField, DateTimeField, Q, Value, When
from django.utils import timezone

from promotions.permissions import may
from runs.models import EndRun, EndRunItem, ItemAction, ItemState, RunStatus
from runs.services.create import items_insert
from runs.services.queue import run_enqueue, run_stop
from runs.services.reads import kinds_read
from runs.services.records import records_of
from runs.services.steps import live_action
from shopee.errors import CONFIGURATION, ShopeeError
from shops.models import Shop
from vouchers.services.kinds.voucher import SKIP_NOT_LIVE, ends_sooner

READ_FAILED = "Shopee's current {what} of this shop could not be read ({error}); nothing was sent."
MIN_UPDATE_LEAD = dt.timedelta(hours=1)  # Shopee: end_time at least an hour after start_time
VOUCHER = "voucher"


def run_read(*, run: EndRun, client, on_tick=None) -> bool:
    """Read the run's shops at Shopee and decide its pending items (see the module docstring).

    Returns False when a configuration error (wrong partner key, host or clock) stopped the run:
    nothing is decided then, and resuming the run reads again.
    """
    shops = _shops_to_read(run)
    started = timezone.now()
    results = kinds_read(
        shops=shops,
        kinds=run_kinds(run),
        actor=run.created_by,
        actor_label=run.created_by_username,
        client=client,
        batch_id=run.public_id,
        on_tick=on_tick,
    )
    for result in results:
        if isinstance(result.error, ShopeeError) and result.error.kind == CONFIGURATION:
            run_stop(run, f"Shopee refused our configuration: {result.error}")
            return False
    report, decide = {}, {}
    detailed = {result.kind.name for result in results} != {VOUCHER}
    for result in results:
        kind = result.kind
        read_at = result.read_at or timezone.now()
        if result.ok:
            # Decided together: the shops whose list of a kind was read in the same second
            # (the second the items' reasons give), a few statements for all of them.
            reads = decide.setdefault((kind.name, _second(read_at)), {})
            reads[result.shop.pk] = read_at
        else:
            _fail_shop(run, result.shop, kind.name, result.error)
        _report_add(report, result, read_at, detailed)
    for (kind_name, _), reads in decide.items():
        if run.rule:
            _rule_items(run, list(reads), kind_name, started)
        _decide(run, reads, kind_name, started)
    report = list(report.values())
    EndRun.objects.filter(pk=run.pk).update(read_at=timezone.now(), read_report=report)
    return True


def run_kinds(run) -> list[str]:
    """The kinds a run reads: its rule's (a campaign), or its pending items' (vouchers when
    none, as every run before campaigns)."""
    kinds = list((run.rule or {}).get("kinds") or [])
    pending = EndRunItem.objects.filter(run=run, state=ItemState.PENDING)
    for name in pending.values_list("kind", flat=True).distinct().order_by("kind"):
        if name not in kinds:
            kinds.append(name)
    return kinds or [VOUCHER]


def _report_add(report, result, read_at, detailed) -> None:
    """One entry per shop, as the run's page shows it (`shop`, `ok`, `listed`, `read_at` or
    `error`); `detailed` (a run of other kinds than vouchers) adds each kind's under `kinds`."""
    entry = report.setdefault(result.shop.pk, {"shop": str(result.shop), "ok": True, "listed": 0})
    entry["listed"] += len(result.listed)
    part = {"ok": result.ok, "listed": len(result.listed)}
    if result.ok:
        part["read_at"] = read_at.isoformat()
        if entry["ok"]:
            entry.setdefault("read_at", part["read_at"])
    else:
        part["error"] = str(result.error)
        entry["ok"] = False
        entry.setdefault("error", part["error"])
        entry.pop("read_at", None)
    if detailed:
        entry.setdefault("kinds", {})[result.kind.name] = part


def _shops_to_read(run):
    pending = EndRunItem.objects.filter(run=run, state=ItemState.PENDING).values("shop_id")
    shops = Q(pk__in=pending)
    if run.rule:
        shops |= Q(pk__in=run.rule.get("shops") or [])
    return list(Shop.objects.filter(shops).order_by("name", "pk"))


def _rule_items(run, shops, kind_name, started):
    """The rule's matches in the shops' (pks) fresh lists of the kind that the run has no item
    for yet (a campaign's: only what its creator may do)."""
    records = records_of(kind_name)
    kind = records.kind
    now = timezone.now()
    live = Q(start_time__lte=now, end_time__gt=now)
    upcoming = Q(start_time__gt=now)
    if run.is_campaign and not may(run.created_by, kind.end_action, kind.name):
        live = Q(pk__in=[])
    if run.delete_upcoming and (
        not run.is_campaign or may(run.created_by, ItemAction.DELETE, kind.name)
    ):
        live |= upcoming
    matches = records.rule_matches(records.queryset().filter(live), run.rule)
    matches = matches.filter(shop__in=shops, synced_at__gte=started)
    taken = EndRunItem.objects.filter(run=run, kind=kind_name).values(records.item_fk)
    matches = matches.exclude(pk__in=taken)
    action = Case(
        When(upcoming, then=Value(ItemAction.DELETE)),
        default=Value(kind.end_action),
        output_field=CharField(),
    )
    with transaction.atomic():
        items_insert(run, matches, action=action, records=records)


def _second(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _decide(run, reads, kind_name, started):
    """Decide the pending items of `kind_name` of the shops in `reads` (shop pk -> when its
    list was read: all in one second)."""
    records = records_of(kind_name)
    kind, path = records.kind, f"{records.item_field}__"
    now = timezone.now()
    at = _second(next(iter(reads.values())))
    items = EndRunItem.objects.filter(
        run=run, shop__in=list(reads), kind=kind_name, state=ItemState.PENDING
    )
    # An item whose record has a write in flight (sent, answer lost) is settled by the kind's
    # `get` first, on retry and resume alike: Shopee's list cannot say whether that write was
    # ours.
    pending = items.filter(**{f"{path}end_sent_at__isnull": True})
    not_listed = Q(**{f"{path}synced_at__lt": started}) | Q(**{f"{path}synced_at__isnull": True})
    upcoming = Q(**{f"{path}start_time__gt": now})
    stops = (ItemAction.END, ItemAction.DISABLE)
    read_at = _each_shop(reads)
    skipped = {"state": ItemState.SKIPPED, "finished_at": now, "read_at": read_at}
    with transaction.atomic():
        items.update(read_at=read_at)
        pending.filter(not_listed).update(reason=SKIP_NOT_LIVE.format(at=at), **skipped)
        pending.filter(records.managed(path)).update(reason=kind.skip_shopee_managed, **skipped)
        upcoming_reason = f"{kind.skip_upcoming} (Shopee's list read at {at})"
        pending.filter(upcoming, action__in=stops).update(reason=upcoming_reason, **skipped)
        pending.filter(~upcoming, action=ItemAction.DELETE).update(action=live_action(run, kind))
    if run.shopee_end_time is not None and kind.can_set_end:
        for shop in reads:  # a follow-up run per shop, as each shop was read
            _decide_set_end(run, pending.filter(shop=shop), path, skipped)


def _each_shop(reads):
    """Each item's shop's read time, as one value for the UPDATEs."""
    if len(reads) == 1:
        return Value(next(iter(reads.values())))
    return Case(
        *(When(shop=shop, then=Value(read_at)) for shop, read_at in reads.items()),
        output_field=DateTimeField(),
    )


def _decide_set_end(run, pending, path, skipped):
    target = run.shopee_end_time
    sooner = pending.filter(action=ItemAction.SET_END, **{f"{path}end_time__lte": target})
    for item in sooner.select_related(path.rstrip("_")):
        record = getattr(item, path.rstrip("_"))
        EndRunItem.objects.filter(pk=item.pk).update(reason=ends_sooner(record.end_time), **skipped)
    too_close = pending.filter(
        action=ItemAction.SET_END, **{f"{path}start_time__gt": target - MIN_UPDATE_LEAD}
    )
    if too_close.exists():
        follow_up_schedule(run, too_close)


def follow_up_schedule(run, items) -> EndRun:
    """Move `items` to a new run that ends them at the run's chosen end time (our scheduler)."""
    at = run.shopee_end_time
    scheduled = at > timezone.now()
    with transaction.atomic():
        follow_up = EndRun.objects.create(
            created_by=run.created_by,
            created_by_username=run.created_by_username,
            selection=(
                f"From run {run.pk}: vouchers that start less than an hour before "
                f"{at:%Y-%m-%d %H:%M} UTC, so Shopee cannot take that end time: ended then"
            ),
            status=RunStatus.SCHEDULED if scheduled else RunStatus.QUEUED,
            end_at=at if scheduled else None,
        )
        EndRunItem.objects.filter(pk__in=list(items.values_list("pk", flat=True))).update(
            run=follow_up, action=ItemAction.END, read_at=None
        )
        transaction.on_commit(lambda: run_enqueue(run_id=follow_up.pk, at=follow_up.end_at))
    return follow_up


def _fail_shop(run, shop, kind_name, error):
    what = records_of(kind_name).kind.name.replace("_", " ") + "s"
    EndRunItem.objects.filter(run=run, shop=shop, kind=kind_name, state=ItemState.PENDING).update(
        state=ItemState.FAILED,
        reason=READ_FAILED.format(what=what, error=error),
        error=getattr(error, "error", "") or "read_failed",
        finished_at=timezone.now(),
    )
