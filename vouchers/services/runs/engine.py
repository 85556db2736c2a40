"""Processing a run: many calls in flight, paced per shop, retried, resumable.

`run_process()` is what the task runs. It takes the run's lease (one processor per run, across
workers and machines), makes sure a watchdog task is queued behind it, and processes the run for
one slice of time. A run's first slice reads its shops' current vouchers from Shopee and decides
the items on that (`fresh.py`). One dispatcher thread does all database work; a pool of threads
only sends HTTP requests, each signed and recorded (pending audit row, item `sending`) before it
leaves.

If the worker dies, the lease runs out and the watchdog resumes the run: items left `sending`
go back to `pending`, and their vouchers, marked as having an end request in flight, are checked
with get_voucher before anything is sent again, so no voucher is ended twice.
"""

import datetime as dt
import heapq
import time
import uuid
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from vouchers.models import EndRun, EndRunItem
from vouchers.models.run import ItemState, RunStatus
from vouchers.services.runs.fresh import run_read
from vouchers.services.runs.outcomes import Outcomes, StopRun
from vouchers.services.runs.pacing import Pacer, PacingSettings
from vouchers.services.runs.queue import run_enqueue, run_enqueue_watchdog
from vouchers.services.runs.steps import ItemDone, flight_prepare
from vouchers.services.shops import ShopUnavailable
from vouchers.services.tokens import shop_credentials
from vouchers.shopee.client import get_client
from vouchers.shopee.errors import ShopeeConfigError, ShopeeError

TICK_SECONDS = 0.2
LOOKAHEAD_SECONDS = 0.05  # a request may be handed to a thread this long before its slot


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
        result = RunSlice(run, owner, config).process()
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
    """Keep exactly one watchdog task queued behind an active run."""
    now = timezone.now()
    after = config.lease_seconds + 2
    stale = now - dt.timedelta(seconds=after + 60)
    planned = now + dt.timedelta(seconds=after)
    taken = (
        EndRun.objects.filter(pk=run.pk)
        .filter(Q(watchdog_at__isnull=True) | Q(watchdog_at__lt=stale))
        .update(watchdog_at=planned)
    )
    if taken and run_enqueue_watchdog(run_id=run.pk, after_seconds=after) is None:
        EndRun.objects.filter(pk=run.pk).update(watchdog_at=None)


class RunSlice:
    def __init__(self, run, owner, config: EngineSettings):
        self.run, self.owner, self.config = run, owner, config
        self.deadline = time.monotonic() + config.slice_seconds
        self.pacer = Pacer(config.shop_rps, config.global_rps)
        self.ready = defaultdict(deque)  # shop pk -> item ids ready to go
        self.waiting = []  # heap of (monotonic time, item id, shop pk)
        self.unavailable = {}  # shop pk -> why no call can be made for it
        self.credentials_cache = {}
        self.stopping = False
        self.next_check = 0.0

    def process(self) -> str:
        now = timezone.now()
        EndRun.objects.filter(pk=self.run.pk).update(
            status=RunStatus.RUNNING, started_at=self.run.started_at or now
        )
        # Items a dead processor left in flight: their vouchers keep end_sent_at (reconciled).
        EndRunItem.objects.filter(run=self.run, state=ItemState.SENDING).update(
            state=ItemState.PENDING
        )
        try:
            self.client = get_client()
        except ShopeeConfigError as error:
            Outcomes.stop_run(self.run, error.message)
            return "stopped"
        if self.run.read_at is None:
            # Decide on Shopee's word: read the shops' current lists before anything is sent.
            if not run_read(run=self.run, client=self.client, on_tick=self._check_run):
                return "stopped"
        self._load_items()
        self.outcomes = Outcomes(self)
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="end-run") as pool:
            self._dispatch(pool)
        return self.outcomes.finalize()

    def _dispatch(self, pool):
        in_flight = {}
        while True:
            self._check_run()
            while not self.stopping and len(in_flight) < self.config.concurrency:
                flight = self._next_flight()
                if flight is None:
                    break
                in_flight[pool.submit(_send, self.client, flight)] = flight
            if not in_flight:
                pause = self._pause()
                if pause is None:
                    return
                time.sleep(pause)
                continue
            done, _ = wait(
                in_flight, timeout=self._wait_seconds(in_flight), return_when=FIRST_COMPLETED
            )
            for future in done:
                flight = in_flight.pop(future)
                try:
                    self.outcomes.record(flight, *future.result())
                except StopRun:
                    self.stopping = True

    def _check_run(self):
        """Renew the lease; notice a cancel or the end of the slice."""
        if time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + 1.0
        until = timezone.now() + dt.timedelta(seconds=self.config.lease_seconds)
        kept = EndRun.objects.filter(
            pk=self.run.pk, lease_owner=self.owner, status=RunStatus.RUNNING
        ).update(lease_until=until)
        if not kept or time.monotonic() > self.deadline:
            self.stopping = True

    def _load_items(self):
        now = timezone.now()
        rows = (
            EndRunItem.objects.filter(run=self.run, state=ItemState.PENDING)
            .order_by("id")
            .values_list("id", "shop_id", "next_attempt_at")
        )
        for item_id, shop_id, next_at in rows.iterator(chunk_size=5000):
            self.requeue(item_id, shop_id, (next_at - now).total_seconds() if next_at else 0)

    def requeue(self, item_id, shop_id, delay: float):
        if delay > 0:
            heapq.heappush(self.waiting, (time.monotonic() + delay, item_id, shop_id))
        else:
            self.ready[shop_id].append(item_id)

    def credentials(self, shop):
        if shop.pk in self.unavailable:
            raise ShopUnavailable(shop, self.unavailable[shop.pk])
        if shop.pk not in self.credentials_cache:
            self.credentials_cache[shop.pk] = shop_credentials(
                shop=shop, client=self.client, actor=self.run.created_by
            )
        return self.credentials_cache[shop.pk]

    def _next_flight(self):
        """The next request to send, or None when no shop's pace allows one now."""
        clock = time.monotonic()
        while self.waiting and self.waiting[0][0] <= clock:
            _, item_id, shop_id = heapq.heappop(self.waiting)
            self.ready[shop_id].append(item_id)
        while True:
            shops = [shop for shop, ids in self.ready.items() if ids]
            if not shops:
                return None
            # Of the shops whose pace allows a request now, the one with the most left to do:
            # shops then finish together, instead of a few paced shops trailing at the end.
            horizon = time.monotonic() + LOOKAHEAD_SECONDS
            allowed = [shop for shop in shops if self.pacer.next_slot(shop) <= horizon]
            if not allowed:
                return None
            shop_id = max(allowed, key=lambda shop: len(self.ready[shop]))
            item_id = self.ready[shop_id].popleft()
            item = EndRunItem.objects.get(pk=item_id)
            try:
                flight = flight_prepare(
                    item=item, run=self.run, client=self.client, credentials=self.credentials
                )
            except ItemDone:
                if item.state == ItemState.PENDING:
                    self.requeue(item.pk, shop_id, 2.0)
                continue
            except (ShopUnavailable, ShopeeError) as error:
                self.outcomes.shop_unavailable(item, shop_id, error)
                continue
            flight.slot = self.pacer.reserve(shop_id)
            return flight

    def _wait_seconds(self, in_flight):
        """How long to wait for an answer before trying to send more."""
        pause = None if len(in_flight) >= self.config.concurrency else self._pause()
        if pause is None:
            return TICK_SECONDS
        return max(pause - LOOKAHEAD_SECONDS, 0.001)

    def _pause(self):
        """Seconds until more work may start (at most a tick), or None when there is none."""
        if self.stopping:
            return None
        starts = [time.monotonic() + 3600]
        if self.waiting:
            starts.append(self.waiting[0][0])
        shops = [shop for shop, ids in self.ready.items() if ids]
        starts += [self.pacer.next_slot(shop) for shop in shops]
        if not self.waiting and not shops:
            return None
        return max(0.0, min(min(starts) - time.monotonic(), TICK_SECONDS))


def _send(client, flight):
    """In a pool thread: wait for the paced slot, then send. No database access here."""
    delay = flight.slot - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    try:
        return (client.send(flight.prepared), None)
    except ShopeeError as error:
        return (None, error)
