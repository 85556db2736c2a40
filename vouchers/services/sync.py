"""Keeping voucher records in step with Shopee: reading shops' voucher lists.

Reading is concurrent across shops, paced and retried.

Used by `maintain_shops`, the "Sync vouchers" action and a run's fresh read before it ends
anything. It follows the run engine's rules: this thread does every database write (the pending
audit row before a page is requested, the page's records after), and a pool of threads only
sends HTTP. Pages of one shop are read one after another (each page says whether there is more);
shops are read side by side, up to `END_RUN_CONCURRENCY` requests in flight, each shop paced to
`END_RUN_SHOP_RPS` and all together to `END_RUN_GLOBAL_RPS`. A network failure, timeout, 5xx or
`error_rate_limit` is retried with backoff (the shop cools down on a rate limit), up to
`END_RUN_MAX_ATTEMPTS` a page; a rejected access token is refreshed once and the page retried.
One shop's failure is kept in its result and does not stop the others.
"""

import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.utils import timezone

from vouchers.models import Shop
from vouchers.parsing import parse_id
from vouchers.services.audit import call_log_finish, call_log_start
from vouchers.services.runs.pacing import Pacer, PacingSettings, backoff_seconds
from vouchers.services.shop_api import authorization_ended, token_rejected
from vouchers.services.shops import ShopUnavailable, shop_mark_needs_reauth
from vouchers.services.tokens import shop_credentials, shop_token_refresh
from vouchers.services.voucher_records import MalformedVoucher, save_page
from vouchers.shopee import api
from vouchers.shopee.client import ShopeeClient, get_client
from vouchers.shopee.errors import (
    RATE_LIMIT,
    TRANSIENT,
    ShopeeAuthError,
    ShopeeError,
    ShopeeTransientError,
)

TICK_SECONDS = 0.2
# get_voucher_list accepts page_no 1..5000 (shopee-api.md section 5).
MAX_PAGES = 5000


@dataclass
class ShopSync:
    """One shop's read: what Shopee listed (voucher id -> list status), and what was saved."""

    shop: Shop
    statuses: tuple
    listed: dict = field(default_factory=dict)
    read_at: object = None  # when the first page was answered
    created: int = 0
    updated: int = 0
    pages: int = 0
    error: ShopeeError | ShopUnavailable | None = None

    @property
    def total(self):
        return self.created + self.updated

    @property
    def ok(self):
        return self.error is None


@dataclass
class _Job:
    result: ShopSync
    pending_statuses: deque
    status: str = ""
    page_no: int = 1
    attempts: int = 0
    generation: int = 0  # of the token the last request was signed with
    refreshed_generation: int | None = None

    @property
    def shop(self):
        return self.result.shop


def shop_vouchers_sync(
    *, shop: Shop, actor=None, actor_label: str = "", client: ShopeeClient | None = None
) -> ShopSync:
    """Page through one shop's vouchers at Shopee (status `all`) and create or update records.

    Raises ShopUnavailable or the ShopeeError of the failed page; pages already saved stay saved.
    """
    [result] = shops_vouchers_sync(
        shops=[shop], actor=actor, actor_label=actor_label, client=client
    )
    if result.error is not None:
        raise result.error
    return result


def shops_vouchers_sync(
    *,
    shops,
    statuses=("all",),
    actor=None,
    actor_label: str = "",
    client: ShopeeClient | None = None,
    batch_id=None,
    config: PacingSettings | None = None,
    on_tick=None,
) -> list[ShopSync]:
    """Read every page of `statuses` for each of `shops` and save the records.

    Returns one ShopSync per shop, in the order given; a failed shop has `error` set (pages
    already saved stay saved). `on_tick()` is called about every 0.2 s (a run renews its lease).
    """
    client = client or get_client()
    config = config or PacingSettings.from_settings()
    reader = _Reader(client, config, actor=actor, actor_label=actor_label, batch_id=batch_id)
    results = [ShopSync(shop=shop, statuses=tuple(statuses)) for shop in shops]
    reader.run([_Job(result, deque(statuses)) for result in results], on_tick)
    return results


class _Reader:
    def __init__(self, client, config, **audit):
        self.client, self.config, self.audit = client, config, audit
        self.pacer = Pacer(config.shop_rps, config.global_rps)
        self.ready = deque()
        self.waiting = []  # (monotonic time, job)

    def run(self, jobs, on_tick):
        for job in jobs:
            self._next_status(job)
        in_flight = {}
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="sync") as pool:
            while self.ready or self.waiting or in_flight:
                if on_tick is not None:
                    on_tick()
                self._wake()
                while len(in_flight) < self.config.concurrency:
                    started = self._start(pool)
                    if started is None:
                        break
                    in_flight[started[0]] = started[1]
                if not in_flight:
                    time.sleep(self._pause())
                    continue
                done, _ = wait(in_flight, timeout=self._pause(), return_when=FIRST_COMPLETED)
                for future in done:
                    job, row = in_flight.pop(future)
                    result, error = future.result()
                    call_log_finish(row, result=result, error=error)
                    self._answered(job, result, error)

    def _next_status(self, job):
        """Move `job` to its next list status, or finish the shop."""
        if not job.pending_statuses:
            if job.result.ok:
                Shop.objects.filter(pk=job.shop.pk).update(vouchers_synced_at=timezone.now())
            return
        job.status, job.page_no, job.attempts = job.pending_statuses.popleft(), 1, 0
        self.ready.append(job)

    def _start(self, pool):
        """Sign, record and send the next request whose shop's pace allows it now."""
        horizon = time.monotonic() + 0.05
        for _ in range(len(self.ready)):
            job = self.ready.popleft()
            if self.pacer.next_slot(job.shop.pk) > horizon:
                self.ready.append(job)
                continue
            try:
                credentials = shop_credentials(
                    shop=job.shop, client=self.client, actor=self.audit["actor"]
                )
            except (ShopUnavailable, ShopeeError) as error:
                job.result.error = error
                continue
            call = api.get_voucher_list(status=job.status, page_no=job.page_no)
            prepared = self.client.prepare(call, shop=credentials.auth)
            job.attempts += 1
            job.generation = credentials.generation
            row = call_log_start(
                prepared=prepared, shop=job.shop, attempt=job.attempts, **self.audit
            )
            slot = self.pacer.reserve(job.shop.pk)
            return pool.submit(_send, self.client, prepared, slot), (job, row)
        return None

    def _answered(self, job, result, error):
        if error is None:
            self._page_saved(job, result)
            return
        if isinstance(error, ShopeeAuthError):
            if token_rejected(error) and job.refreshed_generation != job.generation:
                job.refreshed_generation = job.generation
                try:
                    shop_token_refresh(
                        shop=job.shop,
                        client=self.client,
                        seen_generation=job.generation,
                        actor=self.audit["actor"],
                        actor_label=self.audit["actor_label"],
                    )
                except (ShopUnavailable, ShopeeError) as refresh_error:
                    job.result.error = refresh_error
                    return
                self.ready.append(job)
                return
            if authorization_ended(error):
                shop_mark_needs_reauth(shop=job.shop, reason=f"{error.error}: {error.message}")
            job.result.error = error
            return
        if error.kind in (TRANSIENT, RATE_LIMIT) and job.attempts < self.config.max_attempts:
            delay = backoff_seconds(
                job.attempts, base=self.config.retry_base, cap=self.config.retry_max
            )
            if error.kind == RATE_LIMIT:
                self.pacer.cool_down(job.shop.pk, delay)
                delay = 0.0
            self.waiting.append((time.monotonic() + delay, job))
            return
        job.result.error = error

    def _page_saved(self, job, result):
        sync = job.result
        payload = result.response if isinstance(result.response, dict) else {}
        items = payload.get("voucher_list") or []
        if sync.read_at is None:
            sync.read_at = timezone.now()
        try:
            if not isinstance(items, list):
                raise MalformedVoucher("voucher_list is not a list")
            created, updated = save_page(job.shop, items)
        except MalformedVoucher as error:
            job.result.error = ShopeeTransientError(
                f"Shopee's voucher list is malformed: {error}", request_id=result.request_id
            )
            return
        for item in items:
            sync.listed[parse_id(item["voucher_id"])] = job.status
        sync.created += created
        sync.updated += updated
        sync.pages += 1
        if payload.get("more") and job.page_no < MAX_PAGES:
            job.page_no, job.attempts = job.page_no + 1, 0
            self.ready.append(job)
        else:
            self._next_status(job)

    def _wake(self):
        now = time.monotonic()
        due = [entry for entry in self.waiting if entry[0] <= now]
        self.waiting = [entry for entry in self.waiting if entry[0] > now]
        self.ready.extend(job for _, job in due)

    def _pause(self):
        starts = [time.monotonic() + TICK_SECONDS]
        starts += [when for when, _ in self.waiting]
        starts += [self.pacer.next_slot(job.shop.pk) for job in self.ready]
        return max(0.001, min(starts) - time.monotonic())


def _send(client, prepared, slot):
    """In a pool thread: wait for the paced slot, then send. No database access here."""
    delay = slot - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    try:
        return client.send(prepared), None
    except ShopeeError as error:
        return None, error
