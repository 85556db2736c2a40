"""Keeping voucher records in step with Shopee: reading shops' voucher lists (and, through
`shops_lists_sync`, any promotion kind's: `promotions.services.sync`).

Reading is concurrent across shops, paced and retried.

Used by `maintain_shops`, the "Sync vouchers" action and a run's fresh read before it ends
anything. Each shop's read is a task of the shared dispatcher (`services.dispatch`), which does
the sending, pacing, retries and audit; this module says which page to ask for and what each
answer means. Pages of one shop are read one after another (each page says whether there is more);
shops are read side by side, up to `END_RUN_CONCURRENCY` requests in flight, each shop paced to
`END_RUN_SHOP_RPS` and all together to `END_RUN_GLOBAL_RPS`. A network failure, timeout, 5xx or
`error_rate_limit` is retried with backoff (the shop cools down on a rate limit), up to
`END_RUN_MAX_ATTEMPTS` a page; a rejected access token is refreshed once and the page retried.
One shop's failure is kept in its result and does not stop the others. When Shopee fails for
everyone (the dispatcher's circuit is open) a sync waits like a run: the dispatcher probes, the
pages are asked again once Shopee answers, and attempts made meanwhile do not count; after
`END_RUN_OUTAGE_MAX_WAIT_SECONDS` every shop not read in full fails with that reason.
"""

from collections import deque
from dataclasses import dataclass, field

from django.utils import timezone, translation

from dispatch.services.decisions import AGAIN, DONE, CoolDown, RetryAfter, StopJob
from dispatch.services.dispatcher import Call, Dispatcher, Job
from dispatch.services.pace import PacingSettings, backoff_seconds
from shopee.client import ShopeeClient, get_client
from shopee.errors import BACK_OFF, RETRY, ShopeeError, ShopeeTransientError
from shops.models import Shop
from shops.services.shops import ShopUnavailable
from vouchers.services.kinds.base import MalformedRecord, PromotionKind
from vouchers.services.kinds.voucher import VOUCHER
from vouchers.services.voucher_records import save_page


@dataclass
class ShopSync:
    """One shop's read of one kind: what Shopee listed (Shopee id -> list status), and what was
    saved."""

    shop: Shop
    statuses: tuple
    listed: dict = field(default_factory=dict)
    read_at: object = None  # when the first page was answered
    created: int = 0
    updated: int = 0
    pages: int = 0
    error: ShopeeError | ShopUnavailable | None = None
    complete: bool = False  # every page of every status read
    kind: PromotionKind = VOUCHER

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
    outage_attempts: int = 0  # of `attempts`, made while Shopee failed for everyone
    generation: int = 0  # of the token the last request was signed with
    refreshed_generation: int | None = None

    @property
    def shop(self):
        return self.result.shop

    @property
    def kind(self):
        return self.result.kind


class ListStore:
    """Where a sync saves what it reads (one per kind of record)."""

    def save(self, *, shop, kind, rows: list, status: str, read_at) -> tuple[int, int, dict]:
        """Save one page's `rows` of `kind` for `shop`, listed under `status`: (created,
        updated, {Shopee id: status as listed}). Raises MalformedRecord (nothing of the page
        saved) for a row that cannot be stored."""
        raise NotImplementedError

    def read_in_full(self, *, shop, kind) -> None:
        """Every page of every status of `kind` was read for `shop` without error."""


class VoucherStore(ListStore):
    def save(self, *, shop, kind, rows, status, read_at):
        created, updated, ids = save_page(shop, rows)
        return created, updated, dict.fromkeys(ids, status)

    def read_in_full(self, *, shop, kind):
        Shop.objects.filter(pk=shop.pk).update(vouchers_synced_at=timezone.now())


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
    return shops_lists_sync(
        shops=shops,
        kinds=(VOUCHER,),
        store=VoucherStore(),
        statuses=statuses,
        actor=actor,
        actor_label=actor_label,
        client=client,
        batch_id=batch_id,
        config=config,
        on_tick=on_tick,
    )


def shops_lists_sync(
    *,
    shops,
    kinds,
    store: ListStore,
    statuses=("all",),
    actor=None,
    actor_label: str = "",
    client: ShopeeClient | None = None,
    batch_id=None,
    config: PacingSettings | None = None,
    on_tick=None,
) -> list[ShopSync]:
    """Read every page of `statuses` of each of `kinds` (plug-ins) for each of `shops`, saving
    each page through `store`, all through one dispatcher (shops side by side, each shop's
    kinds within its pace). Returns one ShopSync per (shop, kind), shops in the order given and
    within a shop the kinds in theirs; a failed one has `error` set (pages already saved stay
    saved). Holds no transaction across a call (the dispatcher records each answer in its own).
    """
    client = client or get_client()
    config = config or PacingSettings.from_settings()
    reader = _SyncJob(
        config, on_tick, store, actor=actor, actor_label=actor_label, batch_id=batch_id
    )
    dispatcher = Dispatcher(reader, client, config)
    results = [
        ShopSync(shop=shop, statuses=tuple(statuses), kind=kind) for shop in shops for kind in kinds
    ]
    for result in results:
        job = _Job(result, deque(statuses))
        if reader.next_status(job) is AGAIN:
            dispatcher.add(job.shop.pk, job)
    dispatcher.run()
    if reader.stopped is not None:  # Shopee stayed down longer than the longest wait
        for result in results:
            if result.error is None and not result.complete:
                result.error = ShopeeTransientError(reader.stopped)
    return results


class _SyncJob(Job):
    """Reading shops' lists as a job of the dispatcher: a task is one shop's read (`_Job`),
    sent again for each page and status."""

    def __init__(self, config, on_tick, store, **audit):
        self.config, self.on_tick, self.store = config, on_tick, store
        self.actor, self.actor_label = audit["actor"], audit["actor_label"]
        self.batch_id = audit["batch_id"]
        self.dispatcher = None
        self.stopped = None  # why the dispatcher stopped before every shop was read

    def outage_too_long(self, since):
        self.stopped = (
            f"Shopee failed every call (network errors or 5xx answers) from "
            f"{since:%Y-%m-%d %H:%M:%S} UTC for longer than the longest wait "
            f"({self.config.outage_max_wait_seconds:g} s)."
        )
        return StopJob(self.stopped)

    def tick(self) -> bool:
        if self.on_tick is not None:
            self.on_tick()
        return True

    def prepare(self, job):
        job.attempts += 1
        call = job.kind.list_call(status=job.status, page_no=job.page_no)
        return Call(task=job, shop=job.shop, api=call, attempt=job.attempts)

    def unavailable(self, job, shop_key, error):
        job.result.error = error

    def answered(self, outcome):
        job = outcome.call.task
        if outcome.ok:
            return self._page_saved(job, outcome.result)
        error = outcome.error
        if outcome.send_again:
            return AGAIN
        if outcome.shop_down is not None:
            job.result.error = outcome.shop_down
            return DONE
        if outcome.outage and outcome.consequence in (RETRY, BACK_OFF):
            # Shopee fails for everyone: wait for it (the dispatcher probes), never give up.
            job.outage_attempts += 1
            return AGAIN
        counted = job.attempts - job.outage_attempts
        if outcome.consequence in (RETRY, BACK_OFF) and counted < self.config.max_attempts:
            if outcome.consequence == BACK_OFF:
                return CoolDown()
            return RetryAfter(
                backoff_seconds(
                    job.attempts, base=self.config.retry_base, cap=self.config.retry_max
                )
            )
        job.result.error = error
        return DONE

    def next_status(self, job):
        """Move `job` to its next list status (AGAIN), or finish the shop (DONE)."""
        if not job.pending_statuses:
            job.result.complete = True
            if job.result.ok:
                self.store.read_in_full(shop=job.shop, kind=job.kind)
            return DONE
        job.status, job.page_no, job.attempts = job.pending_statuses.popleft(), 1, 0
        job.outage_attempts = 0
        return AGAIN

    def _page_saved(self, job, result):
        sync, kind = job.result, job.kind
        items, more = kind.list_page(result.response, page_no=job.page_no, body=result.body)
        if sync.read_at is None:
            sync.read_at = timezone.now()
        try:
            if not isinstance(items, list):
                raise MalformedRecord(f"{kind.list_key} is not a list")
            created, updated, listed = self.store.save(
                shop=job.shop, kind=kind, rows=items, status=job.status, read_at=sync.read_at
            )
        except MalformedRecord as error:
            job.result.error = ShopeeTransientError(
                f"Shopee's {_english(kind.label)} list is malformed: {error}",
                request_id=result.request_id,
            )
            return DONE
        sync.listed.update(listed)
        sync.created += created
        sync.updated += updated
        sync.pages += 1
        if more and job.page_no < kind.max_pages:
            job.page_no, job.attempts, job.outage_attempts = job.page_no + 1, 0, 0
            return AGAIN
        return self.next_status(job)


def _english(text) -> str:
    """A kind's label in English (error texts are stored, and translated where shown)."""
    with translation.override("en"):
        return str(text)
