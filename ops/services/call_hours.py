"""Shopee calls, refusals and failures per hour, fast whatever the size of the call log.

An hour that ended more than SETTLE ago has settled: its calls have their outcome (a call lasts
at most the client's timeout) and no call starts in the past. Settled hours are counted once per
shop from the call log into `CallHour` (one grouped query over those hours, the first time a
dashboard needs them) and read from there; the hours not yet settled (the last one or two) are
counted from the log itself, over its `started_at` index. So a dashboard reads at most
CHART_HOURS x shops summary rows and the last hour's calls, in three queries once the summary
is filled.

The summary is filled from a read (the dashboard), not when calls are recorded: recording a
call stays one INSERT and one UPDATE, with no row shared by concurrent senders. Two dashboards
filling the same hours insert the same rows; the second one's are ignored.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour

from audit.models import CallHour, ShopeeCall
from audit.models.call_hours import NO_SHOP, SETTLED
from audit.models.calls import CallOutcome
from shops.services.access import sees_all_shops, shops_visible, visible

SETTLE = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=8)  # summary rows older than this are deleted when hours are added


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def call_hours(*, user, first: dt.datetime, now: dt.datetime) -> dict:
    """{hour: [calls, refused, failed]} of the calls `user` may see, from the hour `first`
    (UTC, whole) to now; hours without calls are left out."""
    settled = hour_of(now - SETTLE)
    totals = defaultdict(lambda: [0, 0, 0])
    if first < settled:
        call_hours_fill(first=first, settled=settled)
        summary = CallHour.objects.filter(hour__gte=first, hour__lt=settled).exclude(
            shop_key=SETTLED
        )
        if not sees_all_shops(user):
            summary = summary.filter(shop_key__in=shops_visible(user).values("pk"))
        rows = summary.values("hour").annotate(c=Sum("calls"), r=Sum("refused"), f=Sum("failed"))
        for row in rows.order_by():
            totals[hour_of(row["hour"])] = [row["c"], row["r"], row["f"]]
    recent = visible(ShopeeCall.objects.all(), user).filter(started_at__gte=max(first, settled))
    for row in _per_hour(recent, "hour"):
        totals[hour_of(row["hour"])] = [row["calls"], row["refused"], row["failed"]]
    return dict(totals)


def call_hours_fill(*, first: dt.datetime, settled: dt.datetime) -> int:
    """Count the settled hours from `first` to `settled` not yet in the summary. Returns how many
    hours were added. One query when none is missing."""
    done = set(
        CallHour.objects.filter(shop_key=SETTLED, hour__gte=first, hour__lt=settled).values_list(
            "hour", flat=True
        )
    )
    done = {hour_of(hour) for hour in done}
    hours = int((settled - first) / dt.timedelta(hours=1))
    missing = [first + dt.timedelta(hours=n) for n in range(hours)]
    missing = {hour for hour in missing if hour not in done}
    if not missing:
        return 0
    calls = ShopeeCall.objects.filter(started_at__gte=min(missing), started_at__lt=settled)
    rows = [
        CallHour(
            hour=hour_of(row["hour"]),
            shop_key=row["shop_id"] or NO_SHOP,
            calls=row["calls"],
            refused=row["refused"],
            failed=row["failed"],
        )
        for row in _per_hour(calls, "hour", "shop_id")
        if hour_of(row["hour"]) in missing
    ]
    rows += [CallHour(hour=hour, shop_key=SETTLED) for hour in sorted(missing)]
    with transaction.atomic():
        CallHour.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        CallHour.objects.filter(hour__lt=first - KEEP).delete()
    return len(missing)


def call_hours_rebuild() -> None:
    """Forget the summary: it is counted again from the call log when next needed (after calls
    were loaded into the log by other means than `services.audit`, e.g. a restore)."""
    CallHour.objects.all().delete()


def _per_hour(calls, *group):
    return (
        calls.order_by()
        .annotate(hour=TruncHour("started_at", tzinfo=dt.UTC))
        .values(*group)
        .annotate(
            calls=Count("*"),
            refused=Count("outcome", filter=Q(outcome=CallOutcome.REFUSED)),
            failed=Count("outcome", filter=Q(outcome=CallOutcome.FAILED)),
        )
    )
