"""The admin's home page in figures: what needs attention, what is live, how runs and calls went.

`dashboard_for(user)` returns a plain `Dashboard` of figures for one user, restricted to that
user's teams (`services.access`): a team member sees only their shops, their part of runs and
their shops' calls. A section the user has no permission to view is None. The number of queries
is the same whatever the size of the tables: each section is one or two queries, grouped in the
database (live promotions per shop, run items per run and state), and calls per hour from an
hourly summary (`services.call_hours`).

Live promotions come from `PROMOTION_SOURCES`: vouchers, and every other kind of promotion (the
`promotions` app's one table, counted together: not ended nor deleted through shopadmin); another
table of promotions is counted by adding a `PromotionSource` (its queryset and field names),
never an `if kind == ...` here.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ops.services.call_hours import call_hours
from promotions.models import Promotion, PromotionKindName
from runs.models import EndRun, EndRunItem, ItemState
from shops.models import AUTHORIZATION_WARNING, Shop
from shops.services.access import runs_visible, sees_all_shops, shops_visible, visible
from vouchers.models import Voucher

ALERTS_SHOWN = 10
LIVE_SHOPS_SHOWN = 12
RUNS_SHOWN = 8
CHART_HOURS = 7 * 24
# A run's outcome bar: these states each get a segment; any other item state counts as "other".
RUN_OUTCOMES = (
    ItemState.ENDED,
    ItemState.DELETED,
    ItemState.SKIPPED,
    ItemState.REFUSED,
    ItemState.FAILED,
)


@dataclass(frozen=True)
class PromotionSource:
    """A kind of promotion whose records are in the database: live = not yet ended."""

    kind: str
    label: str
    queryset: Callable[[], QuerySet]
    shop_field: str = "shop"
    start_field: str = "start_time"
    end_field: str = "end_time"
    permission: str = ""  # to view them; none: the section's own (vouchers.view_voucher)


def other_promotions() -> QuerySet:
    """Promotions of every kind but vouchers that shopadmin has not ended or deleted (a switched
    off flash sale keeps its times). Every kind named, so that the index on (kind, end, shop,
    start) is read one kind after another."""
    return Promotion.objects.filter(
        kind__in=PromotionKindName.values, ended_at__isnull=True, deleted_at__isnull=True
    )


PROMOTION_SOURCES = (
    PromotionSource("voucher", _("Vouchers"), Voucher.objects.all),
    PromotionSource(
        "promotion",
        capfirst(Promotion._meta.verbose_name_plural),
        other_promotions,
        permission="promotions.view_promotion",
    ),
)


@dataclass
class ShopAlert:
    pk: int
    name: str
    shop_id: int
    region: str
    needs_reauth: bool
    reason: str = ""
    ends_at: dt.datetime | None = None
    days_left: int | None = None


@dataclass
class LiveShop:
    pk: int
    name: str
    shop_id: int
    counts: dict = field(default_factory=dict)  # kind: (ongoing, upcoming)

    @property
    def ongoing(self) -> int:
        return sum(ongoing for ongoing, _ in self.counts.values())

    @property
    def upcoming(self) -> int:
        return sum(upcoming for _, upcoming in self.counts.values())


@dataclass
class RunFigures:
    pk: int
    created_at: dt.datetime
    created_by: str
    status: str
    counts: dict  # item state: count (the RUN_OUTCOMES and "other")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class HourFigures:
    start: dt.datetime
    calls: int = 0
    refused: int = 0
    failed: int = 0

    @property
    def errors(self) -> int:
        return self.refused + self.failed


@dataclass
class Dashboard:
    now: dt.datetime
    alerts: list[ShopAlert] | None = None
    alerts_total: int = 0
    live_kinds: list[tuple[str, str]] = field(default_factory=list)  # (kind, label)
    live_shops: list[LiveShop] | None = None
    live_shops_total: int = 0
    live_totals: dict = field(default_factory=dict)  # kind: (ongoing, upcoming)
    runs: list[RunFigures] | None = None
    hours: list[HourFigures] | None = None

    @property
    def calls_total(self) -> int:
        return sum(hour.calls for hour in self.hours or ())

    @property
    def errors_total(self) -> int:
        return sum(hour.errors for hour in self.hours or ())


def dashboard_for(user, *, now: dt.datetime | None = None) -> Dashboard:
    """The dashboard's figures for `user`: each section they may view, over their teams' shops."""
    now = now or timezone.now()
    board = Dashboard(now=now)
    if user.has_perm("shops.view_shop"):
        board.alerts, board.alerts_total = shop_alerts(user, now=now)
    if user.has_perm("vouchers.view_voucher"):
        live_promotions(board, user, now=now)
    if user.has_perm("runs.view_endrun") or user.has_perm("vouchers.end_voucher"):
        board.runs = last_runs(user)
    if user.has_perm("audit.view_shopeecall"):
        board.hours = calls_per_hour(user, now=now)
    return board


def shop_alerts(user, *, now: dt.datetime) -> tuple[list[ShopAlert], int]:
    """Shops needing re-authorization, then those whose authorization ends within
    AUTHORIZATION_WARNING (or that Shopee warned of): the shop list's banners. Two queries."""
    reauth = Q(needs_reauth_since__isnull=False)
    expiring = Q(needs_reauth_since__isnull=True, token__isnull=False) & (
        Q(authorization_expires_at__lte=now + AUTHORIZATION_WARNING)
        | Q(authorization_expiry_notice_at__isnull=False)
    )
    shops = shops_visible(user).filter(reauth | expiring)
    ordered = shops.order_by(
        F("needs_reauth_since").asc(nulls_last=True),
        F("authorization_expires_at").asc(nulls_last=True),
        "name",
    )
    alerts = []
    for shop in ordered[:ALERTS_SHOWN]:
        alerts.append(
            ShopAlert(
                pk=shop.pk,
                name=shop.name,
                shop_id=shop.shop_id,
                region=shop.region,
                needs_reauth=shop.needs_reauth,
                reason=shop.needs_reauth_reason,
                ends_at=shop.authorization_expires_at,
                days_left=shop.authorization_days_left(now),
            )
        )
    return alerts, shops.count()


def live_promotions(board: Dashboard, user, *, now: dt.datetime) -> None:
    """Ongoing and upcoming promotions per shop, of each PROMOTION_SOURCES kind: one query per
    kind grouped by shop over the promotions not yet ended (read from an index that holds end,
    shop and start), then one for the shops' names. Shops with most ongoing first."""
    counts: dict[int, dict] = {}
    sources = [s for s in PROMOTION_SOURCES if not s.permission or user.has_perm(s.permission)]
    board.live_kinds = [(source.kind, str(source.label)) for source in sources]
    for source in sources:
        # Grouped and restricted by the shop as an expression (shop + 0), not the column: so
        # that SQLite, too, reads the promotions not yet ended from the index on (end, shop,
        # start) rather than every promotion through an index that starts with the shop.
        shop = "shop_key"
        promotions = source.queryset().annotate(
            shop_key=ExpressionWrapper(F(source.shop_field) + 0, output_field=BigIntegerField())
        )
        if not sees_all_shops(user):
            promotions = promotions.filter(shop_key__in=shops_visible(user).values("pk"))
        rows = (
            promotions.filter(**{f"{source.end_field}__gt": now})
            .order_by()
            .values(shop)
            .annotate(
                # Counting a column of the index (not the key): read from the index alone.
                ongoing=Count(source.start_field, filter=Q(**{f"{source.start_field}__lte": now})),
                upcoming=Count(source.start_field, filter=Q(**{f"{source.start_field}__gt": now})),
            )
        )
        totals = [0, 0]
        for row in rows:
            counts.setdefault(row[shop], {})[source.kind] = (row["ongoing"], row["upcoming"])
            totals[0] += row["ongoing"]
            totals[1] += row["upcoming"]
        board.live_totals[source.kind] = tuple(totals)
    names = Shop.objects.filter(pk__in=list(counts)).values_list("pk", "name", "shop_id")
    shops = []
    for pk, name, shop_id in names:
        kinds = {kind: counts[pk].get(kind, (0, 0)) for kind, _label in board.live_kinds}
        shops.append(LiveShop(pk, name, shop_id, kinds))
    ranked = sorted(shops, key=lambda s: (-s.ongoing, -s.upcoming, s.name))
    board.live_shops = ranked[:LIVE_SHOPS_SHOWN]
    board.live_shops_total = len(ranked)


def last_runs(user) -> list[RunFigures]:
    """The RUNS_SHOWN newest runs the user sees, each with its items counted by outcome (a
    team member: their own shops' items only, as the run's page shows them). Two queries."""
    runs = list(
        runs_visible(EndRun.objects.all(), user)
        .order_by("-created_at", "-id")
        .only("pk", "created_at", "created_by_username", "status")[:RUNS_SHOWN]
    )
    figures = {
        run.pk: RunFigures(
            pk=run.pk,
            created_at=run.created_at,
            created_by=run.created_by_username,
            status=run.get_status_display(),
            counts=dict.fromkeys([*RUN_OUTCOMES, "other"], 0),
        )
        for run in runs
    }
    if not figures:
        return []
    items = EndRunItem.objects.filter(run__in=list(figures))
    if not sees_all_shops(user):
        items = visible(items, user)
    for row in items.order_by().values("run_id", "state").annotate(n=Count("pk")):
        key = row["state"] if row["state"] in RUN_OUTCOMES else "other"
        figures[row["run_id"]].counts[key] += row["n"]
    return list(figures.values())


def calls_per_hour(user, *, now: dt.datetime) -> list[HourFigures]:
    """Shopee calls, refusals and failures per hour over the last CHART_HOURS hours (the current
    hour last), every hour present: settled hours from the hourly summary, the last ones from
    the call log (`services.call_hours`)."""
    current = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    first = current - dt.timedelta(hours=CHART_HOURS - 1)
    counted = call_hours(user=user, first=first, now=now)
    hours = []
    for n in range(CHART_HOURS):
        start = first + dt.timedelta(hours=n)
        calls, refused, failed = counted.get(start, (0, 0, 0))
        hours.append(HourFigures(start=start, calls=calls, refused=refused, failed=failed))
    return hours
