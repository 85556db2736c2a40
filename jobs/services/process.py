"""Processing a shop job in a worker: what the task runs.

`shop_job_process()` takes the job's lease (one processor at a time, across workers and
machines), then works through the rows still pending, in batches so that the page fills in shop
by shop: for a connection each shop's details (get_shop_info, side by side) then its vouchers
(`shops_vouchers_sync`); for a sync the vouchers; for a check of authorizations Shopee's list
once (`shops_authorization_check`). The lease is renewed while it works.

A worker that dies leaves the job `running` under a lease that runs out. The task queues a
watchdog behind every active job (`shop_job_watchdog_plan`); when it runs and the lease is over,
it processes the job again: rows already done stay done, the pending ones are redone from the
start (reading details and voucher lists twice is harmless; the redone shops' counts are those
of the second read). An unexpected error fails the job with a plain message instead of leaving
it to be retried forever. Nothing here holds a transaction across a call to Shopee.
"""

import datetime as dt
import functools
import logging
import time
import uuid

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jobs.models import ACTIVE_JOB_STATUSES, JobKind, JobStatus, RowState, ShopJob, ShopJobRow
from jobs.services.campaign_read import campaign_read
from jobs.services.shop_info import shops_info_update
from shopee.client import get_client
from shopee.errors import ShopeeError
from shops.models import Shop
from shops.services.authorizations import shops_authorization_check
from shops.services.shops import ShopUnavailable
from vouchers.services.sync import shops_vouchers_sync

logger = logging.getLogger(__name__)

# Rows per batch, per request slot: big enough to keep every slot busy, small enough that the
# page shows shops finishing early on.
BATCH_PER_SLOT = 4
SHOP_DELETED = "The shop was deleted from shopadmin."
UNEXPECTED = "shopadmin met an unexpected error and stopped this job; start it again."


SLICE_OVER = "slice over: to be continued by the next task"


class LeaseLost(Exception):
    """Another processor took the job over (ours was presumed dead): stop at once."""


class SliceOver(Exception):
    """The job has worked for `END_RUN_SLICE_SECONDS`: it stops between batches and the task
    queues the rest, so that a worker told to stop is free within a slice, as with runs."""


def shop_job_process(*, job_id: int) -> str:
    """Process job `job_id` for at most a slice (`END_RUN_SLICE_SECONDS`, then between two
    batches), unless another live processor holds it. Returns what happened, in words, for the
    task's result; `SLICE_OVER` when the caller must queue the rest."""
    job = ShopJob.objects.filter(pk=job_id).first()
    if job is None or not job.active:
        return "nothing to do"
    lease = _Lease(job)
    if not lease.take():
        return "busy: another worker holds the job"
    try:
        ShopJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
        ShopJob.objects.filter(pk=job.pk, started_at__isnull=True).update(started_at=timezone.now())
        try:
            client = get_client()
            HANDLERS[job.kind](job, client, lease)
        except ShopeeError as error:
            _job_finish(job, JobStatus.FAILED, error=str(error))
            return "failed"
        _job_finish(job, JobStatus.FINISHED)
        return "finished"
    except LeaseLost:
        return "lease lost: another worker took the job over"
    except SliceOver:
        return SLICE_OVER
    except Exception:
        logger.exception("Shop job %s failed unexpectedly", job.pk)
        _job_finish(job, JobStatus.FAILED, error=UNEXPECTED)
        return "failed unexpectedly"
    finally:
        lease.release()


def shop_job_watchdog_plan(*, job_id: int, watchdog: bool = False) -> dt.datetime | None:
    """When a watchdog task should look at job `job_id` again, or None when one is already
    queued or the job is over. The caller queues the task at that time. `watchdog`: the caller
    is the watchdog itself (its own slot is free again)."""
    if watchdog:
        ShopJob.objects.filter(pk=job_id).update(watchdog_at=None)
    now = timezone.now()
    planned = now + dt.timedelta(seconds=settings.END_RUN_LEASE_SECONDS + 2)
    taken = (
        ShopJob.objects.filter(pk=job_id, status__in=ACTIVE_JOB_STATUSES)
        .filter(Q(watchdog_at__isnull=True) | Q(watchdog_at__lt=now - dt.timedelta(seconds=5)))
        .update(watchdog_at=planned)
    )
    return planned if taken else None


class _Lease:
    def __init__(self, job):
        self.job, self.owner, self.renewed = job, uuid.uuid4().hex, 0.0
        self.seconds = float(settings.END_RUN_LEASE_SECONDS)
        self.slice_ends = time.monotonic() + float(settings.END_RUN_SLICE_SECONDS)

    def take(self) -> bool:
        now = timezone.now()
        taken = (
            ShopJob.objects.filter(pk=self.job.pk, status__in=ACTIVE_JOB_STATUSES)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_owner=self.owner, lease_until=self._until())
        )
        self.renewed = time.monotonic()
        return bool(taken)

    def renew(self) -> None:
        """Extend the lease (at most every third of it); raise LeaseLost if it was taken."""
        if time.monotonic() - self.renewed < self.seconds / 3:
            return
        if not ShopJob.objects.filter(pk=self.job.pk, lease_owner=self.owner).update(
            lease_until=self._until()
        ):
            raise LeaseLost
        self.renewed = time.monotonic()

    def slice_check(self) -> None:
        """Between batches: raise SliceOver once the slice is spent."""
        if time.monotonic() > self.slice_ends:
            raise SliceOver

    def release(self) -> None:
        ShopJob.objects.filter(pk=self.job.pk, lease_owner=self.owner).update(
            lease_owner="", lease_until=None
        )

    def _until(self):
        return timezone.now() + dt.timedelta(seconds=self.seconds)


def _job_finish(job, status, error=""):
    ShopJob.objects.filter(pk=job.pk, status__in=ACTIVE_JOB_STATUSES).update(
        status=status, error=error, finished_at=timezone.now()
    )


def _shops_with_vouchers(job, client, lease, *, details: bool):
    """Connect (`details`: fetch each shop's details first) and sync: batch by batch."""
    actor = job.created_by
    size = BATCH_PER_SLOT * max(1, settings.END_RUN_CONCURRENCY)
    pending = job.rows.filter(state=RowState.PENDING).select_related("shop").order_by("id")
    rows = list(pending)
    for start in range(0, len(rows), size):
        if start:
            lease.slice_check()
        lease.renew()
        batch = rows[start : start + size]
        for row in batch:
            if row.shop is None:  # deleted since the job was made
                _row_failed(row, SHOP_DELETED)
        by_shop = {row.shop_id: row for row in batch if row.state == RowState.PENDING}
        if details:
            shops_info_update(
                shops=[row.shop for row in by_shop.values() if row.info_at is None],
                client=client,
                actor=actor,
                on_shop=functools.partial(_row_info_done, by_shop),
                on_tick=lease.renew,
            )
        readable = [row for row in by_shop.values() if row.state == RowState.PENDING]
        results = shops_vouchers_sync(
            shops=[row.shop for row in readable], client=client, actor=actor, on_tick=lease.renew
        )
        for row, sync in zip(readable, results, strict=True):
            row.created, row.updated, row.pages = sync.created, sync.updated, sync.pages
            if sync.ok:
                row.state, row.error = RowState.DONE, ""
            else:
                row.state, row.error = RowState.FAILED, str(sync.error)
                row.unavailable = isinstance(sync.error, ShopUnavailable)
            row.shop_name, row.finished_at = sync.shop.name, timezone.now()
            row.save()


def _connect(job, client, lease):
    _shops_with_vouchers(job, client, lease, details=True)


def _sync(job, client, lease):
    _shops_with_vouchers(job, client, lease, details=False)


def _authorizations(job, client, lease):
    """Shopee's list is read once for all the job's shops; rows fill in together."""
    rows = list(job.rows.select_related("shop").order_by("id"))
    shops = [row.shop for row in rows if row.shop is not None]
    report = shops_authorization_check(client=client, shops=shops, actor=job.created_by)
    lease.renew()
    lost = {shop.pk for shop in report.lost}
    names = dict(Shop.objects.filter(pk__in=[shop.pk for shop in shops]).values_list("pk", "name"))
    now = timezone.now()
    for row in rows:
        if row.shop is None:
            _row_failed(row, SHOP_DELETED)
            continue
        row.state = RowState.NOT_LISTED if row.shop_id in lost else RowState.DONE
        row.shop_name, row.finished_at = names.get(row.shop_id, row.shop_name), now
    ShopJobRow.objects.bulk_update(
        [row for row in rows if row.shop is not None], ["state", "shop_name", "finished_at"]
    )
    ShopJob.objects.filter(pk=job.pk).update(
        outcome={"listed": report.listed, "not_connected": report.not_connected}
    )


def _row_info_done(by_shop, info):
    """A shop's details are in (its row shows its name) or could not be read (it failed)."""
    row = by_shop[info.shop.pk]
    if info.ok:
        row.shop_name, row.info_at = info.shop.name, timezone.now()
        row.save(update_fields=["shop_name", "info_at"])
    else:
        _row_failed(row, info.error)


def _row_failed(row, error):
    row.state, row.error = RowState.FAILED, str(error)
    row.unavailable = isinstance(error, ShopUnavailable)
    row.finished_at = timezone.now()
    row.save()


HANDLERS = {
    JobKind.CONNECT: _connect,
    JobKind.SYNC: _sync,
    JobKind.AUTHORIZATIONS: _authorizations,
    JobKind.CAMPAIGN: campaign_read,  # Stop a campaign: read Shopee's lists
}
