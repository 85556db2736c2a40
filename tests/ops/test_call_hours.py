"""The hourly summary of the call log behind the dashboard's charts: the same figures as counting
the log itself, for every user, read from the summary once an hour has settled."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import CallHour, ShopeeCall
from audit.models.call_hours import SETTLED
from ops.services.call_hours import call_hours, call_hours_fill, call_hours_rebuild, hour_of
from tests.factories import ShopFactory
from tests.ops.test_dashboard import make_call, team_member

pytestmark = pytest.mark.django_db


def week(now):
    return hour_of(now) - dt.timedelta(hours=7 * 24 - 1)


def counted_from_the_log(calls, first):
    totals = {}
    for call in calls:
        if call.started_at < first:
            continue
        hour = totals.setdefault(hour_of(call.started_at), [0, 0, 0])
        hour[0] += 1
        hour[1] += call.outcome == "refused"
        hour[2] += call.outcome == "failed"
    return totals


@pytest.fixture
def shops_and_calls(admin_user):
    random.seed(7)
    north, south = ShopFactory(name="North"), ShopFactory(name="South")
    calls = []
    for _ in range(300):
        shop = random.choice([north, south, None])
        ago = dt.timedelta(minutes=random.randint(1, 9 * 24 * 60))
        outcome = random.choice(["success", "success", "refused", "failed", "pending"])
        calls.append(make_call(shop, ago=ago, outcome=outcome))
    return north, south, calls


def test_the_summary_gives_the_logs_figures_for_each_user(shops_and_calls, admin_user):
    north, south, calls = shops_and_calls
    now = timezone.now()
    first = week(now)
    assert call_hours(user=admin_user, first=first, now=now) == counted_from_the_log(calls, first)
    assert CallHour.objects.filter(shop_key=SETTLED).exists()
    # Read a second time, from the summary now: the same.
    assert call_hours(user=admin_user, first=first, now=now) == counted_from_the_log(calls, first)
    for shop in (north, south):
        member = team_member(f"member-{shop.pk}", shop)
        mine = [call for call in calls if call.shop_id == shop.pk]
        assert call_hours(user=member, first=first, now=now) == counted_from_the_log(mine, first)


def test_settled_hours_are_counted_once(shops_and_calls, admin_user):
    now = timezone.now()
    first = week(now)
    settled = hour_of(now - dt.timedelta(minutes=15))
    assert (
        call_hours_fill(first=first, settled=settled)
        == int((settled - first).total_seconds()) // 3600
    )
    assert call_hours_fill(first=first, settled=settled) == 0
    with CaptureQueriesContext(connection) as captured:
        call_hours(user=admin_user, first=first, now=now)
    assert len(captured) == 3  # hours counted?, the summary, the hours not yet settled


def test_calls_of_the_current_hour_show_at_once(shops_and_calls, admin_user):
    north, _, _ = shops_and_calls
    now = timezone.now()
    first = week(now)
    before = call_hours(user=admin_user, first=first, now=now)
    make_call(north, outcome="failed")  # now, in the hour not yet settled
    after = call_hours(user=admin_user, first=first, now=timezone.now())
    current = hour_of(timezone.now())
    calls, refused, failed = before.get(current, [0, 0, 0])
    assert after[current] == [calls + 1, refused, failed + 1]


def test_old_summary_rows_go_and_a_rebuild_counts_again(shops_and_calls, admin_user):
    now = timezone.now()
    first = week(now)
    CallHour.objects.create(hour=first - dt.timedelta(days=10), shop_key=SETTLED)
    call_hours(user=admin_user, first=first, now=now)
    assert not CallHour.objects.filter(hour__lt=first - dt.timedelta(days=8)).exists()
    # Calls loaded into settled hours by other means show after a rebuild.
    extra = make_call(None, ago=dt.timedelta(days=2))
    assert ShopeeCall.objects.filter(pk=extra.pk).exists()
    hour = hour_of(extra.started_at)
    stale = call_hours(user=admin_user, first=first, now=now).get(hour, [0, 0, 0])[0]
    call_hours_rebuild()
    fresh = call_hours(user=admin_user, first=first, now=now)[hour][0]
    assert fresh == stale + 1
