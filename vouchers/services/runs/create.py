"""Planning and creating a run from a selection of any size.

Everything is done in SQL, so that "select all 100,000" costs a few queries and little memory:
the plan is counts grouped by skip reason and shop, and the run's items are written with one
INSERT ... SELECT. The skip reason is one SQL CASE expression used by both: a voucher is
skipped, with the first reason that applies, when it was already ended through shopadmin, is
upcoming or expired at the time the run will end it, is managed by Shopee, or its shop needs
re-authorization.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from vouchers.models import EndRun, EndRunItem
from vouchers.models.run import ItemState, RunStatus
from vouchers.models.voucher import SHOPEE_MANAGED_PURPOSES
from vouchers.services.runs.queue import run_enqueue

SKIP_ALREADY_ENDED = "Already ended through shopadmin."
SKIP_UPCOMING = "Upcoming: it has not started yet, and Shopee can only end ongoing vouchers."
SKIP_EXPIRED = "Expired: it has already ended."
SKIP_SHOPEE_MANAGED = (
    "Managed by Shopee (created in Shopee's admin, or a shop game, follow prize or membership "
    "voucher): Shopee does not allow ending it."
)
SKIP_SHOP_REAUTH = (
    "Its shop needs re-authorization by the seller: reconnect the shop from the shop list first."
)
SAMPLE_SIZE = 200


def skip_conditions(at) -> list[tuple[str, Q]]:
    """(reason, condition) in order of precedence, for a run that ends vouchers at `at`."""
    return [
        (SKIP_ALREADY_ENDED, Q(ended_at__isnull=False)),
        (SKIP_UPCOMING, Q(start_time__gt=at)),
        (SKIP_EXPIRED, Q(end_time__lte=at)),
        (SKIP_SHOPEE_MANAGED, Q(is_admin=True) | Q(voucher_purpose__in=SHOPEE_MANAGED_PURPOSES)),
        (SKIP_SHOP_REAUTH, Q(shop__needs_reauth_since__isnull=False)),
    ]


def skip_reason(at):
    """A SQL expression: the first skip reason of a voucher for a run ending at `at`, or ""."""
    return Case(
        *(When(condition, then=Value(reason)) for reason, condition in skip_conditions(at)),
        default=Value(""),
        output_field=CharField(),
    )


@dataclass
class ShopCounts:
    shop_id: int
    name: str
    shopee_shop_id: int
    endable: int = 0
    skipped: int = 0


@dataclass
class RunPlan:
    at: object
    total: int = 0
    endable: int = 0
    skipped_by_reason: dict = field(default_factory=dict)
    shops: list = field(default_factory=list)
    endable_sample: list = field(default_factory=list)
    skipped_sample: list = field(default_factory=list)  # (voucher, reason)

    @property
    def skipped(self):
        return sum(self.skipped_by_reason.values())


def run_plan(*, vouchers, end_at=None) -> RunPlan:
    """What a run over `vouchers` (a queryset) would end and skip: three queries, any size."""
    at = end_at or timezone.now()
    vouchers = vouchers.order_by().annotate(skip=skip_reason(at))
    plan = RunPlan(at=at)
    shops = {}
    rows = vouchers.values("shop_id", "shop__name", "shop__shop_id", "skip").annotate(n=Count("pk"))
    for row in rows:
        counts = shops.setdefault(
            row["shop_id"], ShopCounts(row["shop_id"], row["shop__name"], row["shop__shop_id"])
        )
        if row["skip"]:
            counts.skipped += row["n"]
            plan.skipped_by_reason[row["skip"]] = (
                plan.skipped_by_reason.get(row["skip"], 0) + row["n"]
            )
        else:
            counts.endable += row["n"]
    ordered = vouchers.select_related("shop").order_by("shop__name", "voucher_id")
    plan.endable_sample = list(ordered.filter(skip="")[:SAMPLE_SIZE])
    plan.skipped_sample = [(v, v.skip) for v in ordered.exclude(skip="")[:SAMPLE_SIZE]]
    plan.shops = sorted(shops.values(), key=lambda shop: (shop.name, shop.shopee_shop_id))
    plan.endable = sum(shop.endable for shop in plan.shops)
    plan.total = plan.endable + plan.skipped
    return plan


def run_create(*, vouchers, actor, selection: str, end_at=None) -> EndRun:
    """Create a run with one item per voucher of `vouchers` and queue it after commit.

    `end_at` (aware, in the future) schedules the run; otherwise it starts at once. The items,
    with their skip reasons, are written by one INSERT ... SELECT.
    """
    scheduled = end_at is not None and end_at > timezone.now()
    with transaction.atomic():
        run = EndRun.objects.create(
            created_by=actor,
            created_by_username=actor.get_username(),
            selection=selection[:500],
            status=RunStatus.SCHEDULED if scheduled else RunStatus.QUEUED,
            end_at=end_at if scheduled else None,
        )
        _insert_items(run, vouchers.order_by(), end_at if scheduled else Now())
        transaction.on_commit(lambda: run_enqueue(run_id=run.pk, at=run.end_at))
    return run


def _insert_items(run, vouchers, at):
    """INSERT INTO items SELECT ... FROM vouchers: no voucher is loaded into Python."""
    conditions = skip_conditions(at)
    columns = {
        "run_id": Value(run.pk),
        "voucher_id": "pk",
        "shop_id": "shop_id",
        "voucher_shopee_id": "voucher_id",
        "voucher_code": "voucher_code",
        "original_end_time": "end_time",
        "state": Case(
            *(When(condition, then=Value(ItemState.SKIPPED)) for _, condition in conditions),
            default=Value(ItemState.PENDING),
            output_field=CharField(),
        ),
        "reason": skip_reason(at),
        "error": Value(""),
        "request_id": Value(""),
        "attempts": Value(0),
    }
    computed = {f"c_{name}": value for name, value in columns.items() if not isinstance(value, str)}
    names = [value if isinstance(value, str) else f"c_{name}" for name, value in columns.items()]
    select = vouchers.annotate(**computed).values_list(*names).order_by("shop_id", "voucher_id")
    sql, params = select.query.sql_with_params()
    table = EndRunItem._meta.db_table
    target = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({target}) {sql}", params)  # noqa: S608 - our SQL


def run_counts(run: EndRun) -> dict:
    """Items of `run` by state, from one grouped query."""
    counts = dict.fromkeys(ItemState.values, 0)
    for row in EndRunItem.objects.filter(run=run).values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts
