"""Planning and creating a run from a selection of any size.

Everything is done in SQL, so that "select all 100,000" costs a few queries and little memory:
the plan is counts grouped by skip reason and shop, and the run's items are written with one
INSERT ... SELECT. The skip reason is one SQL CASE expression: a voucher is skipped, with the
first reason that applies, when it was already ended or deleted through shopadmin, is upcoming
or expired at the time the run will end it, is managed by Shopee, or its shop needs
re-authorization.

The plan shown on the confirmation page uses our copy of each voucher. A run decides on
Shopee's word: its items are created with the skips that do not depend on Shopee's current
state (already ended or deleted, managed by Shopee, shop to reconnect), and the rest is decided
after the run has read each shop's ongoing and upcoming vouchers from Shopee (`fresh.py`).
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_noop

from runs.models import EndRun, EndRunItem, ItemAction, ItemState, RunStatus
from runs.services.queue import run_enqueue
from runs.services.records import records_of
from vouchers.services.kinds.voucher import (
    SHOPEE_MANAGED,
    SKIP_ALREADY_DELETED,
    SKIP_ALREADY_ENDED,
    SKIP_EXPIRED,
    SKIP_SHOPEE_MANAGED,
    SKIP_UPCOMING,
)

# Stored in English (items' reason, SQL values); pages translate them when shown. The voucher's
# own reasons are the voucher kind's (services.kinds.voucher), one text each.
SKIP_SHOP_REAUTH = gettext_noop(
    "Its shop needs re-authorization by the seller: reconnect the shop from the shop list first."
)
SAMPLE_SIZE = 200


class EmptySelection(ValueError):
    """A run over a selection of vouchers that holds none: no run is created."""


def final_skip_conditions(records=None) -> list[tuple[str, Q]]:
    """Skips that Shopee's current word cannot change, in order of precedence (of vouchers, or
    of `records`' kind)."""
    managed = (SKIP_SHOPEE_MANAGED, SHOPEE_MANAGED)
    if records is not None:
        managed = (records.kind.skip_shopee_managed, records.managed())
    return [
        (SKIP_ALREADY_ENDED, Q(ended_at__isnull=False)),
        (SKIP_ALREADY_DELETED, Q(deleted_at__isnull=False)),
        managed,
        (SKIP_SHOP_REAUTH, Q(shop__needs_reauth_since__isnull=False)),
    ]


def skip_conditions(at) -> list[tuple[str, Q]]:
    """(reason, condition) in order of precedence, for a run that ends vouchers at `at`."""
    ended, deleted, *rest = final_skip_conditions()
    return [
        ended,
        deleted,
        (SKIP_UPCOMING, Q(start_time__gt=at)),
        (SKIP_EXPIRED, Q(end_time__lte=at)),
        *rest,
    ]


def skip_reason(at=None, conditions=None):
    """A SQL expression: the first skip reason of a voucher for a run ending at `at` (or of
    `conditions`), or ""."""
    conditions = conditions if conditions is not None else skip_conditions(at)
    return Case(
        *(When(condition, then=Value(reason)) for reason, condition in conditions),
        default=Value(""),
        output_field=CharField(),
    )


@dataclass
class ShopCounts:
    shop_id: int
    name: str
    shopee_shop_id: int
    synced_at: object = None  # when its vouchers were last read from Shopee
    region: str = ""
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
    deletable: int = 0  # upcoming vouchers that "also delete upcoming" would delete

    @property
    def skipped(self):
        return sum(self.skipped_by_reason.values())


def run_plan(*, vouchers, end_at=None) -> RunPlan:
    """What a run over `vouchers` (a queryset) would end and skip: three queries, any size."""
    at = end_at or timezone.now()
    vouchers = vouchers.order_by().annotate(skip=skip_reason(at))
    plan = RunPlan(at=at)
    shops = {}
    rows = vouchers.values(
        "shop_id", "shop__name", "shop__shop_id", "shop__vouchers_synced_at", "shop__region", "skip"
    ).annotate(n=Count("pk"))
    for row in rows:
        counts = shops.setdefault(
            row["shop_id"],
            ShopCounts(
                row["shop_id"],
                row["shop__name"],
                row["shop__shop_id"],
                row["shop__vouchers_synced_at"],
                row["shop__region"],
            ),
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
    plan.deletable = vouchers.filter(skip=SKIP_UPCOMING).exclude(SHOPEE_MANAGED).count()
    return plan


def run_create(
    *,
    vouchers,
    actor,
    selection: str,
    end_at=None,
    delete_upcoming: bool = False,
    shopee_end_time=None,
    rule: dict | None = None,
) -> EndRun:
    """Create a run with one item per voucher of `vouchers` and queue it after commit.

    `end_at` (aware, in the future) schedules the run; otherwise it starts at once.
    `delete_upcoming` deletes the upcoming vouchers instead of skipping them; `shopee_end_time`
    sets that end time at Shopee (update_voucher) instead of ending; `rule` makes the run
    resolve its vouchers from Shopee's current lists (see `fresh.py`). The items, with the skips
    that are final already, are written by one INSERT ... SELECT. Raises EmptySelection, and
    creates nothing, when `vouchers` holds none (a run without `rule` would do nothing).
    """
    scheduled = end_at is not None and end_at > timezone.now()
    with transaction.atomic():
        run = EndRun.objects.create(
            created_by=actor,
            created_by_username=actor.get_username(),
            selection=selection[:500],
            status=RunStatus.SCHEDULED if scheduled else RunStatus.QUEUED,
            end_at=end_at if scheduled else None,
            delete_upcoming=delete_upcoming,
            shopee_end_time=shopee_end_time,
            rule=rule,
        )
        live_action = ItemAction.SET_END if shopee_end_time is not None else ItemAction.END
        action = Value(live_action)
        if delete_upcoming:
            upcoming = Q(start_time__gt=end_at if scheduled else Now())
            action = Case(
                When(upcoming, then=Value(ItemAction.DELETE)),
                default=action,
                output_field=CharField(),
            )
        inserted = items_insert(run, vouchers.order_by(), action=action)
        if not inserted and rule is None:
            raise EmptySelection("No voucher matches the selection.")  # rolls the run back
        transaction.on_commit(lambda: run_enqueue(run_id=run.pk, at=run.end_at))
    return run


def items_insert(run, vouchers, *, action, records=None) -> int:
    """INSERT INTO items SELECT ... FROM records (vouchers, or `records`' kind): no record is
    loaded into Python. Items get the final skips (`final_skip_conditions`); the others are
    pending until Shopee's read. Returns how many items were written."""
    records = records or records_of("voucher")
    conditions = final_skip_conditions(records)
    columns = {
        "run_id": Value(run.pk),
        "kind": Value(records.kind.name),
        records.item_fk: "pk",
        "shop_id": "shop_id",
        "voucher_shopee_id": records.id_field,
        "voucher_code": records.label_expression(),
        "original_end_time": "end_time",
        "action": action,
        "state": Case(
            *(When(condition, then=Value(ItemState.SKIPPED)) for _, condition in conditions),
            default=Value(ItemState.PENDING),
            output_field=CharField(),
        ),
        "reason": skip_reason(conditions=conditions),
        "error": Value(""),
        "request_id": Value(""),
        "attempts": Value(0),
    }
    computed = {f"c_{name}": value for name, value in columns.items() if not isinstance(value, str)}
    names = [value if isinstance(value, str) else f"c_{name}" for name, value in columns.items()]
    select = vouchers.annotate(**computed).values_list(*names).order_by("shop_id", records.id_field)
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:
        return 0  # nothing selected (a rule run: its items come from Shopee's lists)
    table = EndRunItem._meta.db_table
    target = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({target}) {sql}", params)  # noqa: S608 - our SQL
        return cursor.rowcount


def run_counts(run: EndRun, *, shops=None) -> dict:
    """Items of `run` by state, from one grouped query; `by_kind` holds the same counts per
    kind of promotion ("voucher", "discount", ...) of the run's items. With `shops` (a
    queryset), over those shops' items only."""
    counts = dict.fromkeys(ItemState.values, 0)
    by_kind = {}
    items = EndRunItem.objects.filter(run=run)
    if shops is not None:
        items = items.filter(shop__in=shops.values("pk"))
    rows = items.values("kind", "state").annotate(n=Count("pk"))
    for row in rows.order_by("kind"):
        counts[row["state"]] += row["n"]
        kind = by_kind.setdefault(row["kind"], dict.fromkeys(ItemState.values, 0))
        kind[row["state"]] += row["n"]
    counts["by_kind"] = by_kind
    return counts
