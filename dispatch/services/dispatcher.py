"""The one sender: every job's calls to Shopee go through a `Dispatcher`.

A job (a run, a sync, a shop-details fetch, ...) is a `Job`: it names tasks per shop, and for a
task `prepare()`s the next call (or says none is needed), then turns each `Outcome` into a
decision (`decisions.py`). The dispatcher owns everything else: the pool of threads that only
send HTTP, the per-shop queues (the shop with the most left goes first, so that no paced shop
trails at the end), the pace (per shop and overall, shared by every job and process when the
pace is a `SharedPace`), backoff delays and cool-downs, the shop's credentials, the pending audit
row committed before each request leaves (with the job's own writes in the same transaction),
the answer recorded after, and what Shopee's errors mean for a shop's token: a rejected token
is refreshed and the call sent again; a shop whose authorization is over is flagged.

When Shopee fails for everyone (each of the last `outage_calls` calls failed with a network error
or a 5xx) the circuit opens: the job is told it waits for Shopee (`Job.outage()`), one call (a
probe, audited like any) is sent every `outage_probe_seconds`, outcomes say `outage` so that the
job does not give its tasks up, and the first answer closes the circuit. After
`outage_max_wait_seconds` the job is asked what to do (`Job.outage_too_long()`).

This thread does every database write; the pool threads only wait for their slot and send.
No other module starts threads or sleeps for pacing.
"""

import datetime as dt
import heapq
import itertools
import logging
import time
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.db import transaction

from audit.services.calls import call_log_finish, call_log_start_many
from dispatch.services.decisions import (
    CoolDown,
    Decision,
    Done,
    RetryAfter,
    ShopDown,
    StopJob,
)
from dispatch.services.job import Call, Job, Outcome
from dispatch.services.pace import PacingSettings, backoff_seconds
from dispatch.services.shared_pace import SharedPace
from shopee import errors
from shopee.client import ShopeeClient
from shopee.errors import ShopeeError
from shops.services.shops import ShopUnavailable
from shops.services.tokens import shop_auth_failed, shop_credentials

logger = logging.getLogger(__name__)

__all__ = ["Call", "Dispatcher", "Job", "Outcome"]

TICK_SECONDS = 0.2
LOOKAHEAD_SECONDS = 0.05  # a request may be handed to a thread this long before its slot


@dataclass
class Dispatcher:
    job: Job
    client: ShopeeClient
    config: PacingSettings
    pace: object = None  # SharedPace (the default) or LocalPace
    ready: dict = field(default_factory=lambda: defaultdict(deque))  # shop key -> tasks
    waiting: list = field(default_factory=list)  # heap: (time, seq, shop key, task)
    shops: dict = field(default_factory=dict)  # shop key -> why no call can be made for it
    stopping: bool = False
    down_since: float | None = None  # Unix time since when Shopee fails for everyone

    def __post_init__(self):
        self.pace = self.pace or SharedPace(
            shop_rps=self.config.shop_rps,
            global_rps=self.config.global_rps,
            partner=self.client.config.partner_id,
        )
        self._seq = itertools.count()
        self._credentials = {}
        self._rate_limited = defaultdict(int)  # shop key -> consecutive error_rate_limit
        self._recent = deque(maxlen=self.config.outage_calls)  # last calls: Shopee down?
        self._next_probe = 0.0

    def add(self, shop_key, task, delay: float = 0.0) -> None:
        """Queue `task` for the shop, to be prepared after `delay` seconds."""
        if delay > 0:
            heapq.heappush(self.waiting, (time.time() + delay, next(self._seq), shop_key, task))
        else:
            self.ready[shop_key].append(task)

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
                if not in_flight:
                    pause = self._pause()
                    if pause is None:
                        return
                    time.sleep(pause)
                    continue
                done, _ = wait(
                    in_flight, timeout=self._wait_seconds(in_flight), return_when=FIRST_COMPLETED
                )
                answers = []
                for future in done:
                    call = in_flight.pop(future)
                    result, error, sent_at = future.result()
                    self.pace.lateness.observe(sent_at - call.slot)
                    answers.append((call, result, error))
                self._answered_many(answers)

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
        if in_flight or now < self._next_probe:
            return 0
        self._next_probe = now + self.config.outage_probe_seconds
        logger.warning("Shopee is down for every call: probing with one call")
        return 1

    # Sending.

    def _start_many(self, pool, room) -> dict:
        """Prepare, record (one transaction) and hand to threads up to `room` calls whose
        shops' pace allows them now. Returns {future: call}."""
        self._wake()
        horizon = time.time() + LOOKAHEAD_SECONDS
        picked = []
        while len(picked) < room:
            shop_key = self._pick(horizon)
            if shop_key is None:
                break
            slot = self.pace.take(shop_key, len(self.ready[shop_key]))
            if slot > horizon:
                self.pace.give_back(shop_key, slot)
                continue
            picked.append((shop_key, self.ready[shop_key].popleft(), slot))
        if not picked:
            return {}
        prepared = self.job.prepare_many([task for _, task, _ in picked])
        calls = []
        for (shop_key, task, slot), call in zip(picked, prepared, strict=True):
            if self._sign(shop_key, task, call):
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
        with transaction.atomic():
            rows = call_log_start_many(entries)
            for call, row in zip(calls, rows, strict=True):
                call.row = row
            self.job.sending(calls)
        return {pool.submit(_send, self.client, call.prepared, call.slot): call for call in calls}

    def _sign(self, shop_key, task, call) -> bool:
        """Sign the job's call with the shop's token; False when no call is made (the job's
        decision applied, or the shop unavailable)."""
        if not isinstance(call, Call):
            self._apply(shop_key, task, call)
            return False
        if shop_key in self.shops:
            self.job.unavailable(task, shop_key, self.shops[shop_key])
            return False
        try:
            credentials = self._shop_credentials(shop_key, call.shop)
        except (ShopUnavailable, ShopeeError) as error:
            self.job.unavailable(task, shop_key, error)
            return False
        call.generation = credentials.generation
        call.prepared = self.client.prepare(call.api, shop=credentials.auth)
        return True

    def _pick(self, horizon):
        """Of the shops whose pace allows a request by `horizon`, the one with the most left:
        shops then finish together, instead of a few paced shops trailing at the end."""
        best, most = None, 0
        for shop_key, tasks in self.ready.items():
            if len(tasks) > most and self.pace.next_slot(shop_key) <= horizon:
                best, most = shop_key, len(tasks)
        return best

    def _shop_credentials(self, shop_key, shop):
        if shop_key not in self._credentials:
            self._credentials[shop_key] = shop_credentials(
                shop=shop,
                client=self.client,
                actor=self.job.actor,
                actor_label=self.job.actor_label,
            )
        return self._credentials[shop_key]

    # Answers.

    def _answered_many(self, answers):
        """Record answers: those that touch a shop's token one by one (a refresh calls Shopee:
        never inside a transaction), the others together in one transaction."""
        together = []
        for call, result, error in answers:
            if error is not None and error.kind == errors.AUTHORIZATION:
                self._answered(call, result, error)
            else:
                together.append((call, result, error))
        if together:
            with transaction.atomic():
                for answer in together:
                    self._answered(*answer)

    def _circuit(self, error) -> None:
        """Open the circuit when each of the last calls found Shopee down; close it on an
        answer."""
        down = error is not None and errors.shopee_down(error)
        self._recent.append(down)
        if self.down_since is None:
            if len(self._recent) == self._recent.maxlen and all(self._recent):
                self.down_since = time.time()
                self._next_probe = self.down_since + self.config.outage_probe_seconds
                logger.warning("Shopee failed the last %d calls: waiting", len(self._recent))
                self.job.outage(dt.datetime.fromtimestamp(self.down_since, tz=dt.UTC))
        elif not down:
            self.down_since = None
            self._recent.clear()
            logger.warning("Shopee answers again")
            self.job.outage(None)

    def _answered(self, call, result, error):
        call_log_finish(call.row, result=result, error=error)
        shop_key = call.shop.pk
        self._circuit(error)
        outcome = Outcome(call, result, error, outage=self.down_since is not None)
        if error is None:
            self._rate_limited.pop(shop_key, None)
        else:
            outcome.consequence = errors.consequence(error)
            if error.kind == errors.AUTHORIZATION:
                self._credentials.pop(shop_key, None)
                down = shop_auth_failed(
                    shop=call.shop,
                    error=error,
                    generation=call.generation,
                    client=self.client,
                    actor=self.job.actor,
                    actor_label=self.job.actor_label,
                )
                outcome.send_again, outcome.shop_down = down is None, down
        decision = self.job.answered(outcome)
        if outcome.consequence == errors.BACK_OFF and not isinstance(decision, CoolDown):
            self._cool_down(shop_key)
        self._apply(shop_key, call.task, decision)

    def _apply(self, shop_key, task, decision: Decision) -> None:
        if isinstance(decision, Done):
            return
        if isinstance(decision, RetryAfter):
            self.add(shop_key, task, decision.seconds)
        elif isinstance(decision, CoolDown):
            self._cool_down(shop_key)
            self.add(shop_key, task)
        elif isinstance(decision, ShopDown):
            self.shops[shop_key] = decision.error
        elif isinstance(decision, StopJob):
            self.stopping = True
        else:
            raise TypeError(f"not a decision: {decision!r}")

    def _cool_down(self, shop_key):
        self._rate_limited[shop_key] += 1
        pause = backoff_seconds(
            self._rate_limited[shop_key], base=self.config.retry_base, cap=self.config.retry_max
        )
        self.pace.cool_down(shop_key, pause)

    # Waiting.

    def _wake(self):
        now = time.time()
        while self.waiting and self.waiting[0][0] <= now:
            _, _, shop_key, task = heapq.heappop(self.waiting)
            self.ready[shop_key].append(task)

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
        if self.waiting:
            starts.append(self.waiting[0][0])
        shops = [shop_key for shop_key, tasks in self.ready.items() if tasks]
        if not self.waiting and not shops:
            return None
        starts += [self.pace.next_slot(shop_key) for shop_key in shops]
        return max(0.0, min(min(starts) - now, TICK_SECONDS))

    def pending(self):
        """The tasks not sent: (shop key, task) of every queue."""
        for shop_key, tasks in self.ready.items():
            for task in tasks:
                yield shop_key, task
        for _, _, shop_key, task in self.waiting:
            yield shop_key, task


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
