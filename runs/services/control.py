"""What staff do with a run: watch it, cancel it, retry what failed."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.logcontext import log_context
from notifications.services.notify import run_notify
from runs.models import EndRun, EndRunItem, ItemState, RunStatus
from runs.services.queue import run_enqueue

log = logging.getLogger("vouchers.runs")

FAILURES_SHOWN = 100
ITEMS_SHOWN = 200


@dataclass
class RunProgress:
    counts: dict
    shops: list = field(default_factory=list)  # dicts: name, shop id, counts by state
    failures: list = field(default_factory=list)  # items refused or failed, with Shopee's words
    items: list = field(default_factory=list)  # the first items, with their reasons

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def done(self):
        return self.total - self.counts[ItemState.PENDING] - self.counts[ItemState.SENDING]

    @property
    def percent(self):
        return 100 if not self.total else int(100 * self.done / self.total)


def _items(run, shops):
    """The run's items, or only those of `shops` (a queryset; None for all)."""
    items = EndRunItem.objects.filter(run=run)
    return items if shops is None else items.filter(shop__in=shops.values("pk"))


def run_progress(*, run: EndRun, shops=None) -> RunProgress:
    """Counts by state, per shop, the first failures and items: three queries. With `shops`
    (a queryset), over those shops' items only: a team sees its own part of a shared run."""
    counts = dict.fromkeys(ItemState.values, 0)
    per_shop = {}
    rows = (
        _items(run, shops)
        .values("shop_id", "shop__name", "shop__shop_id", "state")
        .annotate(n=Count("pk"))
        .order_by("shop__name")
    )
    for row in rows:
        counts[row["state"]] += row["n"]
        shop = per_shop.setdefault(
            row["shop_id"],
            {
                "name": row["shop__name"] or "(deleted shop)",
                "shop_id": row["shop__shop_id"],
                "counts": dict.fromkeys(ItemState.values, 0),
            },
        )
        shop["counts"][row["state"]] += row["n"]
    failures = list(
        _items(run, shops)
        .filter(state__in=[ItemState.FAILED, ItemState.REFUSED])
        .select_related("shop")
        .order_by("id")[:FAILURES_SHOWN]
    )
    items = list(_items(run, shops).select_related("shop").order_by("id")[:ITEMS_SHOWN])
    return RunProgress(counts=counts, shops=list(per_shop.values()), failures=failures, items=items)


def run_cancel(*, run: EndRun) -> int:
    """Stop an active run: pending items are canceled; requests in flight finish. Returns how
    many items were canceled."""
    with transaction.atomic():
        locked = EndRun.objects.select_for_update().get(pk=run.pk)
        if not locked.active:
            return 0
        canceled = EndRunItem.objects.filter(run=run, state=ItemState.PENDING).update(
            state=ItemState.CANCELED,
            reason=gettext_noop("Canceled before it was sent."),  # translated when shown
            finished_at=timezone.now(),
        )
        EndRun.objects.filter(pk=run.pk).update(
            status=RunStatus.CANCELED, finished_at=timezone.now()
        )
        run_notify(run=locked)
    with log_context(run_id=run.pk):
        log.info("Run canceled: %d pending item(s) canceled", canceled)
    return canceled


def run_retry_failed(*, run: EndRun, shops=None) -> int:
    """Put failed items back to pending and queue the run again; a run stopped by a
    configuration error resumes its pending items too. Returns how many items will be tried.

    Items whose write may have reached Shopee are checked with get_voucher first (their vouchers
    still carry the mark), so retrying never ends or deletes a voucher twice. With `shops`
    (a queryset), only those shops' failed items are retried.
    """
    with transaction.atomic():
        locked = EndRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.SCHEDULED:
            return 0
        waiting = 0
        if locked.status == RunStatus.STOPPED:
            waiting = _items(run, shops).filter(state=ItemState.PENDING).count()
        retried = waiting + _items(run, shops).filter(state=ItemState.FAILED).update(
            state=ItemState.PENDING, attempts=0, next_attempt_at=None, finished_at=None
        )
        if retried:
            # Read Shopee's lists again first: a retry decides on Shopee's word too.
            EndRun.objects.filter(pk=run.pk).update(
                status=RunStatus.QUEUED,
                finished_at=None,
                stop_reason="",
                read_at=None,
                shopee_down_since=None,
            )
            transaction.on_commit(lambda: run_enqueue(run_id=run.pk))
    return retried
