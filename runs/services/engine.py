"""Processing a run: many calls in flight, paced per shop, retried, resumable.

`run_process()` is what the task runs. It takes the run's lease (one processor per run, across
workers and machines), makes sure a watchdog task is queued behind it, and processes the run for
one slice of time. A run's first slice reads its shops' current vouchers from Shopee and decides
the items on that (`fresh.py`). The items are then a job of the shared dispatcher
(`services.dispatch`): it sends, paces and retries; `steps.py` says what to send for an item
and `outcomes.py` what each answer means.

If the worker dies, the lease runs out and the watchdog resumes the run: items left `sending`
go back to `pending`, and their records, marked as having a write in flight, are checked with
the kind's `get` call before anything is sent again, so nothing is ended (deleted, switched off)
twice. Everything kind-specific comes from the kind plug-in of each item (`records.py`).
"""

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from dispatch.services.decisions import DONE, RetryAfter
from dispatch.services.dispatcher import Dispatcher, Job
from dispatch.services.pace import PacingSettings
from runs.models import EndRun, EndRunItem, ItemState, RunStatus
from runs.services.campaign import campaign_read_back
from runs.services.fresh import run_read
from runs.services.outcomes import Outcomes
from runs.services.queue import run_enqueue, run_enqueue_watchdog
from runs.services.records import item_record_ids, records_of
from runs.services.steps import (
    ItemDone,
    flight_prepare,
    flights_sending,
    items_claim,
)
from runs.services.unanswered import calls_unanswered_close_on_takeover
from shopee.client import get_client
from shopee.errors import ShopeeConfigError

# The watchdog runs this long after the lease it watches runs out (clocks of workers and the
# database may differ by a little).
WATCHDOG_MARGIN_SECONDS = 1.0


@dataclass(frozen=True)
class EngineSettings(PacingSettings):
    slice_seconds: float
    lease_seconds: float

    @classmethod
    def from_settings(cls):
        return super().from_settings(
            slice_seconds=settings.END_RUN_SLICE_SECONDS,
            lease_seconds=settings.END_RUN_LEASE_SECONDS,
        )


def run_process(*, run_id: int, watchdog: bool = False) -> str:
    """Process run `run_id` for one slice. Safe to call any number of times, concurrently."""
    if watchdog:
        EndRun.objects.filter(pk=run_id).update(watchdog_at=None)
    run = EndRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or not run.active:
        return "done"
    if run.status == RunStatus.SCHEDULED and run.end_at > timezone.now():
        if not watchdog:
            run_enqueue(run_id=run.pk, at=run.end_at)
        return "scheduled"
    config = EngineSettings.from_settings()
    owner = uuid.uuid4().hex
    if not _lease_take(run, owner, config):
        _watchdog_ensure(run, config)
        return "busy"
    _watchdog_ensure(run, config)
    try:
        result = RunJob(run, owner, config).process()
    finally:
        EndRun.objects.filter(pk=run.pk, lease_owner=owner).update(lease_owner="", lease_until=None)
    if result == "more":
        next_at = EndRunItem.objects.filter(run=run, state=ItemState.PENDING).aggregate(
            at=Min("next_attempt_at")
        )["at"]
        run_enqueue(run_id=run.pk, at=next_at)
    return result


def _lease_take(run, owner, config) -> bool:
    now = timezone.now()
    return bool(
        EndRun.objects.filter(pk=run.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_owner=owner, lease_until=now + dt.timedelta(seconds=config.lease_seconds))
    )


def _watchdog_ensure(run, config) -> None:
    """Keep exactly one watchdog task queued behind an active run, due just after the run's
    current lease runs out (not a whole lease from now): a processor that died with its lease
    half used is then taken over when that lease ends, so a dead worker's run resumes within
    END_RUN_LEASE_SECONDS + WATCHDOG_MARGIN_SECONDS (plus a worker's poll) of its death. A live
    processor renews its lease, so the watchdog finds the run busy and plans the next one."""
    now = timezone.now()
    lease_until = EndRun.objects.filter(pk=run.pk).values_list("lease_until", flat=True).first()
    planned = max(lease_until or now, now) + dt.timedelta(seconds=WATCHDOG_MARGIN_SECONDS)
    after = (planned - now).total_seconds()
    stale = now - dt.timedelta(seconds=config.lease_seconds + WATCHDOG_MARGIN_SECONDS + 60)
    taken = (
        EndRun.objects.filter(pk=run.pk)
        .filter(Q(watchdog_at__isnull=True) | Q(watchdog_at__lt=stale))
        .update(watchdog_at=planned)
    )
    if taken and run_enqueue_watchdog(run_id=run.pk, after_seconds=after) is None:
        EndRun.objects.filter(pk=run.pk).update(watchdog_at=None)


def _owner(kind_name, *record_ids):
    """(the kind's records, the record's pk) from an item's kind and record columns."""
    records = records_of(kind_name)
    return records, dict(zip(item_record_ids(), record_ids, strict=True))[records.item_fk]


class RunJob(Job):
    """One slice of a run, as a job of the dispatcher: items are its tasks (by shop)."""

    def __init__(self, run, owner, config: EngineSettings):
        self.run, self.owner, self.config = run, owner, config
        self.actor, self.actor_label = run.created_by, run.created_by_username
        self.batch_id = run.public_id
        self.deadline = time.monotonic() + config.slice_seconds
        self.next_check = 0.0
        self.outcomes = Outcomes(run, config)
        self.owners = {}  # item pk -> (its kind's records, its record's pk), read with the items

    def process(self) -> str:
        now = timezone.now()
        EndRun.objects.filter(pk=self.run.pk).update(
            status=RunStatus.RUNNING, started_at=self.run.started_at or now
        )
        # What a dead processor left in flight: its audit rows that no check will settle are
        # closed; its items go back to pending, their records keep end_sent_at (reconciled).
        calls_unanswered_close_on_takeover(run=self.run)
        EndRunItem.objects.filter(run=self.run, state=ItemState.SENDING).update(
            state=ItemState.PENDING
        )
        try:
            client = get_client()
        except ShopeeConfigError as error:
            Outcomes.stop_run(self.run, error.message)
            return "stopped"
        if self.run.read_at is None:
            # Decide on Shopee's word: read the shops' current lists before anything is sent.
            if not run_read(run=self.run, client=client, on_tick=self.tick):
                return "stopped"
        down = self.run.shopee_down_since
        dispatcher = Dispatcher(
            self, client, self.config, down_since=down.timestamp() if down else None
        )
        self._load_items(dispatcher)
        dispatcher.run()
        if self.run.is_campaign and self._calls_done():
            # What of the campaign is still live at Shopee, before the run says it finished.
            campaign_read_back(run=self.run, client=client, on_tick=self.tick)
        return self.outcomes.finalize()

    def _calls_done(self) -> bool:
        """No item open and the run still running (not canceled or stopped meanwhile)."""
        running = EndRun.objects.filter(pk=self.run.pk, status=RunStatus.RUNNING).exists()
        return (
            running
            and not EndRunItem.objects.filter(
                run=self.run, state__in=(ItemState.PENDING, ItemState.SENDING)
            ).exists()
        )

    def tick(self) -> bool:
        """Renew the lease; notice a cancel or the end of the slice (False: stop sending)."""
        if time.monotonic() < self.next_check:
            return True
        self.next_check = time.monotonic() + 1.0
        until = timezone.now() + dt.timedelta(seconds=self.config.lease_seconds)
        kept = EndRun.objects.filter(
            pk=self.run.pk, lease_owner=self.owner, status=RunStatus.RUNNING
        ).update(lease_until=until)
        return bool(kept) and time.monotonic() <= self.deadline

    def _load_items(self, dispatcher):
        now = timezone.now()
        rows = (
            EndRunItem.objects.filter(run=self.run, state=ItemState.PENDING)
            .order_by("id")
            .values_list("id", "shop_id", "next_attempt_at", "kind", *item_record_ids())
        )
        for item_id, shop_id, next_at, *owner in rows.iterator(chunk_size=5000):
            self.owners[item_id] = _owner(*owner)
            dispatcher.add(shop_id, item_id, (next_at - now).total_seconds() if next_at else 0)

    def prepare(self, task):
        return self.prepare_many([task])[0]

    def prepare_many(self, tasks):
        """The items' next calls: their records claimed, then the items read with their
        records (one statement each)."""
        missing = [task for task in tasks if task not in self.owners]
        if missing:
            rows = EndRunItem.objects.filter(pk__in=missing).values_list(
                "id", "kind", *item_record_ids()
            )
            self.owners.update((item_id, _owner(*owner)) for item_id, *owner in rows)
        items, claimed = items_claim({task: self.owners[task] for task in tasks})
        calls = []
        for task in tasks:
            item = items[task]
            try:
                calls.append(flight_prepare(item=item, run=self.run, claimed=claimed))
            except ItemDone:
                calls.append(RetryAfter(2.0) if item.state == ItemState.PENDING else DONE)
        return calls

    def sending(self, calls):
        flights_sending([call.context for call in calls], [call.row for call in calls])

    def answered(self, outcome):
        return self.outcomes.answer(outcome.call.context, outcome)

    def answered_many(self, outcomes):
        return self.outcomes.answer_many([(outcome.call.context, outcome) for outcome in outcomes])

    def outage(self, since):
        self.outcomes.outage(since)

    def outage_too_long(self, since):
        return self.outcomes.outage_too_long(since)

    def unavailable(self, task, shop_key, error):
        item = EndRunItem.objects.select_related("shop").get(pk=task)
        self.outcomes.shop_unavailable(item, item.shop, error)
