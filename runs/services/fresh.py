"""A run decides on Shopee's word: before anything is sent, it reads its shops' current lists.

`run_read()` runs first in a run's processing (and again if a worker died before it finished):
it reads the ongoing and upcoming vouchers of every shop involved from Shopee
(`get_voucher_list`, paged, shops side by side with the engine's pacing and retries, each page
in the call log), saves them, and decides each pending item on that state:

- a voucher Shopee lists neither as ongoing nor as upcoming is not live: skipped, saying so;
  unless a write of ours for it is in flight (sent, answer lost): get_voucher settles it first;
- one that Shopee's list shows as managed by Shopee is skipped before any call;
- an upcoming one is skipped, or deleted when the run deletes upcoming vouchers;
- an ongoing one is ended (one that was to be deleted but has started is ended instead);
- with an end time to set at Shopee: set when Shopee allows it (at least an hour after the
  start, and earlier than its current end); a voucher that starts less than an hour before is
  moved to a follow-up run scheduled at that time, which ends it with our own scheduler.

A rule run ("every ongoing voucher of these shops whose code starts with ...") gets its items
here, from the fresh lists, so a voucher created since the last sync is included. Each item
records when Shopee's word was read. A shop whose lists cannot be read fails its items with
that reason: nothing is sent for it, and nothing of it is skipped silently.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from runs.models import EndRun, EndRunItem, ItemAction, ItemState, RunStatus
from runs.services.create import items_insert
from runs.services.queue import run_enqueue, run_stop
from runs.services.steps import live_action
from shopee.errors import CONFIGURATION, ShopeeError
from shops.models import Shop
from vouchers.models import Voucher
from vouchers.services.kinds.voucher import (
    SKIP_NOT_LIVE,
    SKIP_SHOPEE_MANAGED,
    SKIP_UPCOMING,
    VOUCHER,
    ends_sooner,
    shopee_managed,
)
from vouchers.services.sync import shops_vouchers_sync

READ_FAILED = (
    "Shopee's current vouchers of this shop could not be read ({error}); nothing was sent."
)
MIN_UPDATE_LEAD = dt.timedelta(hours=1)  # Shopee: end_time at least an hour after start_time


def run_read(*, run: EndRun, client, on_tick=None) -> bool:
    """Read the run's shops at Shopee and decide its pending items (see the module docstring).

    Returns False when a configuration error (wrong partner key, host or clock) stopped the run:
    nothing is decided then, and resuming the run reads again.
    """
    shops = _shops_to_read(run)
    started = timezone.now()
    results = shops_vouchers_sync(
        shops=shops,
        statuses=VOUCHER.live_statuses,
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
    report = []
    for result in results:
        entry = {"shop": str(result.shop), "ok": result.ok, "listed": len(result.listed)}
        if result.ok:
            read_at = result.read_at or timezone.now()
            entry["read_at"] = read_at.isoformat()
            if run.rule:
                _rule_items(run, result.shop, started)
            _decide(run, result.shop, started, read_at)
        else:
            entry["error"] = str(result.error)
            _fail_shop(run, result.shop, result.error)
        report.append(entry)
    EndRun.objects.filter(pk=run.pk).update(read_at=timezone.now(), read_report=report)
    return True


def _shops_to_read(run):
    pending = EndRunItem.objects.filter(run=run, state=ItemState.PENDING).values("shop_id")
    shops = Q(pk__in=pending)
    if run.rule:
        shops |= Q(pk__in=run.rule.get("shops") or [])
    return list(Shop.objects.filter(shops).order_by("name", "pk"))


def _rule_items(run, shop, started):
    """The rule's matches in the shop's fresh lists that the run has no item for yet."""
    rule = run.rule
    now = timezone.now()
    live = Q(start_time__lte=now, end_time__gt=now)
    if run.delete_upcoming:
        live |= Q(start_time__gt=now)
    matches = Voucher.objects.filter(live, shop=shop, synced_at__gte=started)
    if rule.get("code_prefix"):
        matches = matches.filter(voucher_code__istartswith=rule["code_prefix"])
    if rule.get("name_contains"):
        matches = matches.filter(voucher_name__icontains=rule["name_contains"])
    matches = matches.exclude(pk__in=EndRunItem.objects.filter(run=run).values("voucher_id"))
    action = Case(
        When(Q(start_time__gt=now), then=Value(ItemAction.DELETE)),
        default=Value(ItemAction.END),
        output_field=CharField(),
    )
    with transaction.atomic():
        items_insert(run, matches, action=action)


def _decide(run, shop, started, read_at):
    now = timezone.now()
    at = f"{read_at:%Y-%m-%d %H:%M:%S} UTC"
    # An item whose voucher has a write in flight (sent, answer lost) is settled by get_voucher
    # first, on retry and resume alike: Shopee's list cannot say whether that write was ours.
    pending = EndRunItem.objects.filter(
        run=run, shop=shop, state=ItemState.PENDING, voucher__end_sent_at__isnull=True
    )
    not_listed = Q(voucher__synced_at__lt=started) | Q(voucher__synced_at__isnull=True)
    upcoming = Q(voucher__start_time__gt=now)
    skipped = {"state": ItemState.SKIPPED, "finished_at": now, "read_at": read_at}
    with transaction.atomic():
        EndRunItem.objects.filter(run=run, shop=shop, state=ItemState.PENDING).update(
            read_at=read_at
        )
        pending.filter(not_listed).update(reason=SKIP_NOT_LIVE.format(at=at), **skipped)
        managed = shopee_managed("voucher__")
        pending.filter(managed).update(reason=SKIP_SHOPEE_MANAGED, **skipped)
        upcoming_reason = f"{SKIP_UPCOMING} (Shopee's list read at {at})"
        pending.filter(upcoming, action=ItemAction.END).update(reason=upcoming_reason, **skipped)
        pending.filter(~upcoming, action=ItemAction.DELETE).update(action=live_action(run))
    if run.shopee_end_time is not None:
        _decide_set_end(run, pending, skipped)


def _decide_set_end(run, pending, skipped):
    target = run.shopee_end_time
    sooner = pending.filter(action=ItemAction.SET_END, voucher__end_time__lte=target)
    for item in sooner.select_related("voucher"):
        EndRunItem.objects.filter(pk=item.pk).update(
            reason=ends_sooner(item.voucher.end_time), **skipped
        )
    too_close = pending.filter(
        action=ItemAction.SET_END, voucher__start_time__gt=target - MIN_UPDATE_LEAD
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


def _fail_shop(run, shop, error):
    EndRunItem.objects.filter(run=run, shop=shop, state=ItemState.PENDING).update(
        state=ItemState.FAILED,
        reason=READ_FAILED.format(error=error),
        error=getattr(error, "error", "") or "read_failed",
        finished_at=timezone.now(),
    )
