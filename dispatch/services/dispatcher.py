"""The one sender: every job's calls to Shopee go through a `Dispatcher`.

A job (a run, a sync, a shop-details fetch, ...) is a `Job`: it names tasks per shop, and for a
task `prepare()`s the next call (or says none is needed), then turns each `Outcome` into a
decision (`decisions.py`). The dispatcher owns everything else: the pool of threads that only
send HTTP, the per-shop queues (the shop with the most left goes first, so that no paced shop
trails at the end), the pace (per shop and overall, shared by every job and process when the
pace is a `SharedPace`), backoff delays and cool-downs, the shop's credentials, the pending audit
row committed before each request leaves (with the job's own writes in the same transaction),
the answer recorded after (a success in the transaction that starts the next calls, a failure at
once), and what Shopee's errors mean for a shop's token: a rejected token is refreshed and the
call sent again; a shop whose authorization is over is flagged.

When Shopee fails for everyone the circuit (`circuit.py`) opens: the job is told it waits for
Shopee (`Job.outage()`), one probe is sent at a time, outcomes say `outage` so that the job does
not give its tasks up; after `outage_max_wait_seconds` the job is asked what to do
(`Job.outage_too_long()`).

This thread does every database write; the pool threads only wait for their slot and send.
No other module starts threads or sleeps for pacing.
"""

import datetime as dt
import logging
import queue
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction

from audit.services.calls import call_log_start_many
from dispatch.services.answers import Answers
from dispatch.services.circuit import Circuit
from dispatch.services.decisions import StopJob
from dispatch.services.job import Call, Job, Outcome
from dispatch.services.pace import PacingSettings
from dispatch.services.queues import ShopQueues
from dispatch.services.shared_pace import SharedPace
from shopee.client import ShopeeClient
from shopee.errors import ShopeeError
from shops.models import Shop
from shops.services.shops import ShopUnavailable
from shops.services.tokens import shop_credentials, shops_credentials

logger = logging.getLogger(__name__)

__all__ = ["Call", "Dispatcher", "Job", "Outcome"]

TICK_SECONDS = 0.2
LOOKAHEAD_SECONDS = 0.05  # a request may be handed to a thread this long before its slot


@dataclass
class Dispatcher(Answers):
    job: Job
    client: ShopeeClient
    config: PacingSettings
    pace: object = None  # SharedPace (the default) or LocalPace
    queues: ShopQueues = field(default_factory=ShopQueues)
    shops: dict = field(default_factory=dict)  # shop key -> why no call can be made for it
    stopping: bool = False
    down_since: float | None = None  # Unix time since when Shopee fails for everyone

    def __post_init__(self):
        self.pace = self.pace or SharedPace(
            shop_rps=self.config.shop_rps,
            global_rps=self.config.global_rps,
            partner=self.client.config.partner_id,
        )
        self._credentials = {}
        self.held = []  # Shopee's successes not recorded yet (`_answered_or_held`)
        # The calls' futures, put here by their pool threads as each is answered: cheaper to
        # wait on than `concurrent.futures.wait()`, which watches every call in flight each time.
        self.finished = queue.SimpleQueue()
        self._rate_limited = defaultdict(int)  # shop key -> consecutive error_rate_limit
        self.circuit = Circuit(
            calls=self.config.outage_calls,
            probe_seconds=self.config.outage_probe_seconds,
            down_since=self.down_since,  # a run resumed while Shopee was down
        )

    def add(self, shop_key, task, delay: float = 0.0) -> None:
        """Queue `task` for the shop, to be prepared after `delay` seconds."""
        self.queues.add(shop_key, task, delay)

    def run(self) -> None:
        """Send until no task is left, or the job stops."""
        in_flight = {}
        # Requests are prepared and answers recorded a few at a time (one transaction each):
        # fewer statements and commits a call, where a busy pace has many in flight.
        batch = max(1, self.config.concurrency // 8)
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="shopee") as pool:
            while True:
                if not self.stopping and not self.job.tick():
                    self.stopping = True
                room = self._room(in_flight)
                while not self.stopping and room >= (1 if self.down_since else batch):
                    started = self._start_many(pool, room)
                    if not started:
                        break
                    in_flight.update(started)
                    room = self._room(in_flight)
                if self.held:  # no call started to record them with
                    self._answered_many(self._held_taken())
                if not in_flight:
                    pause = self._pause()
                    if pause is None:
                        return
                    time.sleep(pause)
                    continue
                answers = []
                for future in self._answered_within(self._wait_seconds(in_flight)):
                    call = in_flight.pop(future)
                    result, error, sent_at = future.result()
                    self.pace.lateness.observe(sent_at - call.slot)
                    answers.append((call, result, error))
                self._answered_or_held(answers)

    def _answered_within(self, timeout: float) -> list:
        """The futures answered, waiting up to `timeout` seconds for the first."""
        try:
            done = [self.finished.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self.finished.empty():
            done.append(self.finished.get_nowait())
        return done

    def _answered_or_held(self, answers) -> None:
        """Record the answers now, or hold Shopee's successes for the next `_start_many()`,
        which records them in the transaction that starts the next calls (one commit a call
        fewer) and right away when it starts none."""
        if self.down_since is None and all(error is None for _, _, error in answers):
            self.held += answers
        else:
            self._answered_many(self._held_taken() + answers)

    def _held_taken(self) -> list:
        held, self.held = self.held, []
        return held

    def _room(self, in_flight) -> int:
        """How many calls may start now: one probe at a time while Shopee is down."""
        if self.down_since is None:
            return self.config.concurrency - len(in_flight)
        now = time.time()
        if now - self.down_since > self.config.outage_max_wait_seconds and not self.stopping:
            since = dt.datetime.fromtimestamp(self.down_since, tz=dt.UTC)
            if isinstance(self.job.outage_too_long(since), StopJob):
                self.stopping = True
                return 0
        return 0 if in_flight or not self.circuit.probe_due(now) else 1

    # Sending.

    def _start_many(self, pool, room) -> dict:
        """Prepare, record (one transaction: the job's claims, the audit rows, the job's
        writes) and hand to threads up to `room` calls whose shops' pace allows them now.
        Returns {future: call}."""
        self.queues.wake()
        horizon = time.time() + LOOKAHEAD_SECONDS
        ready = self.queues.ready
        picked = []
        while len(picked) < room:
            shop_key = self.queues.pick(lambda key: self.pace.next_slot(key) <= horizon)
            if shop_key is None:
                break
            slot = self.pace.take(shop_key, len(ready[shop_key]))
            if slot > horizon:
                self.pace.give_back(shop_key, slot)
                continue
            picked.append((shop_key, ready[shop_key].popleft(), slot))
        if not picked:
            return {}
        # The shops' credentials before the transaction: one that expires soon is refreshed,
        # a call to Shopee.
        unavailable = self._credentials_ready({shop_key for shop_key, _, _ in picked})
        # The answers held, the job's claims, the audit rows and the job's writes in one
        # transaction, committed before any request leaves.
        with transaction.atomic():
            held = self._held_taken()
            if held and not self._recorded(held):
                # An answer stopped a shop or the job, or cooled a shop down: what was picked
                # before it is put back, and picked again (or not) knowing it.
                for shop_key, task, slot in reversed(picked):
                    self.queues.ready[shop_key].appendleft(task)
                    self.pace.give_back(shop_key, slot, partner=False)
                return {}
            prepared = self.job.prepare_many([task for _, task, _ in picked])
            calls = []
            for (shop_key, task, slot), call in zip(picked, prepared, strict=True):
                if self._sign(shop_key, task, call, unavailable):
                    call.slot = slot
                    calls.append(call)
                else:
                    self.pace.give_back(shop_key, slot, partner=False)
            if not calls:
                return {}
            entries = [
                {
                    "prepared": call.prepared,
                    "actor": self.job.actor,
                    "actor_label": self.job.actor_label,
                    "shop": call.shop,
                    "voucher": call.voucher,
                    "batch_id": self.job.batch_id,
                    "attempt": call.attempt,
                }
                for call in calls
            ]
            rows = call_log_start_many(entries)
            for call, row in zip(calls, rows, strict=True):
                call.row = row
            self.job.sending(calls)
        started = {}
        for call in calls:
            future = pool.submit(_send, self.client, call.prepared, call.slot)
            future.add_done_callback(self.finished.put)
            started[future] = call
        return started

    def _sign(self, shop_key, task, call, unavailable) -> bool:
        """Sign the job's call with the shop's token; False when no call is made (the job's
        decision applied, or the shop unavailable: `unavailable` says why, by shop key)."""
        if not isinstance(call, Call):
            self._apply(shop_key, task, call)
            return False
        error = self.shops.get(shop_key) or unavailable.get(shop_key)
        if error is not None:
            self.job.unavailable(task, shop_key, error)
            return False
        try:
            # Ready (`_credentials_ready`); looked up here only for a shop deleted meanwhile,
            # which has no token to refresh.
            credentials = self._shop_credentials(shop_key, call.shop)
        except (ShopUnavailable, ShopeeError) as error:
            self.job.unavailable(task, shop_key, error)
            return False
        call.generation = credentials.generation
        call.prepared = self.client.prepare(call.api, shop=credentials.auth)
        return True

    def _credentials_ready(self, shop_keys) -> dict:
        """Look up (and refresh when due) the credentials of the shops of `shop_keys` not known
        yet, their tokens in one query; {shop key: why no call can be made for it} for those
        that have none."""
        unknown = [
            key for key in shop_keys if key not in self._credentials and key not in self.shops
        ]
        if not unknown:
            return {}
        found = shops_credentials(
            shops=list(Shop.objects.filter(pk__in=unknown)),
            client=self.client,
            actor=self.job.actor,
            actor_label=self.job.actor_label,
        )
        unavailable = {}
        for shop_key, credentials in found.items():
            if isinstance(credentials, Exception):
                unavailable[shop_key] = credentials
            else:
                self._credentials[shop_key] = credentials
        return unavailable

    def _shop_credentials(self, shop_key, shop):
        if shop_key not in self._credentials:
            self._credentials[shop_key] = shop_credentials(
                shop=shop,
                client=self.client,
                actor=self.job.actor,
                actor_label=self.job.actor_label,
            )
        return self._credentials[shop_key]

    # Waiting.

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
        now = time.time()
        starts = [now + TICK_SECONDS]
        wake = self.queues.next_wake()
        if wake is not None:
            starts.append(wake)
        shops = self.queues.shops_ready()
        if wake is None and not shops:
            return None
        starts += [self.pace.next_slot(shop_key) for shop_key in shops]
        return max(0.0, min(min(starts) - now, TICK_SECONDS))

    def pending(self):
        """The tasks not sent: (shop key, task) of every queue."""
        return self.queues.pending()


def _send(client, prepared, slot):
    """In a pool thread: wait for the paced slot, then send. No database access here.
    Returns (answer, failure, when it was sent)."""
    delay = slot - time.time()
    if delay > 0:
        time.sleep(delay)
    sent_at = time.time()
    try:
        return client.send(prepared), None, sent_at
    except ShopeeError as error:
        return None, error, sent_at
