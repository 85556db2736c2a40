"""The admin's home: the dashboard of shops needing attention, live promotions, last runs and
Shopee calls per hour, each restricted to the user's teams."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import ShopeeCall
from ops.services.dashboard import CHART_HOURS, dashboard_for
from runs.models import EndRun, EndRunItem
from tests.factories import (
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import text_of

HOME = "/admin/"


def make_call(shop, *, ago=None, outcome="success"):
    """A call `ago` before now; by default within the current hour, whatever the time."""
    now = timezone.now()
    if ago is None:
        ago = (now - now.replace(minute=0, second=0, microsecond=0)) / 2
    started = now - ago
    return ShopeeCall.objects.create(
        started_at=started,
        finished_at=started,
        actor_username="system",
        shop=shop,
        shop_shopee_id=shop.shop_id if shop else None,
        shop_name=shop.name if shop else "",
        endpoint="/api/v2/voucher/end_voucher",
        method="POST",
        outcome=outcome,
    )


def make_run(shop, states, *, by="merch"):
    run = EndRun.objects.create(created_by_username=by, selection="3 vouchers", status="finished")
    EndRunItem.objects.bulk_create(
        EndRunItem(
            run=run,
            shop=shop,
            voucher_shopee_id=9_000_000 + n,
            voucher_code=f"R{run.pk}-{n}",
            original_end_time=timezone.now(),
            state=state,
        )
        for n, state in enumerate(states)
    )
    return run


def team_member(name, shop):
    team = Group.objects.create(name=f"{name} team")
    codenames = [label.split(".")[1] for label in TEAM_PERMISSIONS]
    team.permissions.set(Permission.objects.filter(codename__in=codenames))
    shop.teams.add(team)
    user = UserFactory(username=name)
    user.groups.add(team)
    return user


@pytest.fixture
def two_teams(db):
    """North (team "north", needs re-authorization) and South (team "south", its authorization
    ends in 3 days), each with vouchers, a run and calls."""
    now = timezone.now()
    north = ShopTokenFactory(shop=ShopFactory(name="North Store", shop_id=7101, region="TH")).shop
    north.needs_reauth_since = now
    north.needs_reauth_reason = "the seller canceled the authorization"
    north.save()
    south = ShopTokenFactory(shop=ShopFactory(name="South Store", shop_id=7102, region="PH")).shop
    south.authorization_expires_at = now + dt.timedelta(days=3, hours=2)
    south.save()
    for _ in range(2):
        VoucherFactory(shop=north)
    VoucherFactory(shop=north, upcoming=True)
    VoucherFactory(shop=north, expired=True)
    VoucherFactory(shop=south)
    north_run = make_run(north, ["ended", "ended", "failed", "skipped"])
    south_run = make_run(south, ["refused", "deleted"])
    for outcome in ("success", "success", "refused"):
        make_call(north, outcome=outcome)
    make_call(south, outcome="failed")
    make_call(south, ago=dt.timedelta(hours=30))
    make_call(north, ago=dt.timedelta(days=8))  # before the chart's week
    make_call(None)  # a partner-level call (no shop): for those who see every shop
    return {
        "north": north,
        "south": south,
        "north_run": north_run,
        "south_run": south_run,
        "north_user": team_member("nadia", north),
        "south_user": team_member("sam", south),
    }


def board_of(response):
    return response.context["dashboard"]["board"]


def test_a_superuser_sees_every_shops_figures(admin_client, two_teams):
    response = admin_client.get(HOME)
    assert response.status_code == 200
    board = board_of(response)
    assert [(a.name, a.needs_reauth) for a in board.alerts] == [
        ("North Store", True),
        ("South Store", False),
    ]
    assert [(s.name, s.counts["voucher"]) for s in board.live_shops] == [
        ("North Store", (2, 1)),
        ("South Store", (1, 0)),
    ]
    assert board.live_totals["voucher"] == (3, 1)
    runs = {run.pk: run.counts for run in board.runs}
    assert runs[two_teams["north_run"].pk] == {
        "ended": 2,
        "deleted": 0,
        "skipped": 1,
        "refused": 0,
        "failed": 1,
        "other": 0,
    }
    assert runs[two_teams["south_run"].pk]["refused"] == 1
    assert len(board.hours) == CHART_HOURS
    assert (board.calls_total, board.errors_total) == (6, 2)
    text = text_of(response)
    assert "North Store" in text and "South Store" in text
    assert "the seller canceled the authorization" in text
    assert "The seller's authorization ends in 3 days" in text
    assert "2 ended, 0 deleted, 1 skipped, 0 refused, 1 failed" in text
    # The list of models stays on the page, below the dashboard.
    assert 'id="content-main"' in response.text
    assert "/admin/vouchers/voucher/" in response.text


@pytest.mark.parametrize(
    ("member", "mine", "theirs"),
    [("north_user", "North", "South"), ("south_user", "South", "North")],
)
def test_a_team_member_sees_only_their_shops_figures(client, two_teams, member, mine, theirs):
    client.force_login(two_teams[member])
    response = client.get(HOME)
    assert response.status_code == 200
    board = board_of(response)
    assert [a.name for a in board.alerts] == [f"{mine} Store"]
    assert [s.name for s in board.live_shops] == [f"{mine} Store"]
    assert [run.pk for run in board.runs] == [two_teams[f"{mine.lower()}_run"].pk]
    expected = {"North": (3, 1), "South": (2, 1)}[mine]  # calls, errors in the week
    assert (board.calls_total, board.errors_total) == expected
    assert f"{theirs} Store" not in text_of(response)


def test_the_charts_are_server_drawn_svg_without_inline_style_or_script(admin_client, two_teams):
    html = admin_client.get(HOME).text
    for chart in ("calls-chart", "errors-chart"):
        svg = re.search(rf'<svg class="dash-chart" id="{chart}".*?</svg>', html, re.S)
        assert svg, f"no {chart}"
        assert len(re.findall(r'<g class="dash-bar">', svg.group())) == CHART_HOURS
    calls = re.search(r'id="calls-chart".*?</svg>', html, re.S).group()
    assert len(re.findall(r'<rect class="dash-calls"', calls)) == 2  # two hours with calls
    assert "dash-runbar" in html
    assert not re.search(r"\sstyle=", html), "an inline style attribute"
    assert not re.search(r"<style\b", html), "an inline <style>"
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html), "an inline <script>"
    assert "vouchers/dashboard.css" in html


def test_the_charts_numbers_read_as_svg_in_every_language(admin_client, two_teams):
    """Brazilian Portuguese writes 2,5 for 2.5: an SVG coordinate must keep its dot."""
    make_run(two_teams["north"], ["ended", "failed", "skipped"])  # thirds: 33.333
    html = admin_client.get(HOME, HTTP_ACCEPT_LANGUAGE="pt-br").text
    assert '<html lang="pt-br"' in html
    svg = "".join(re.findall(r'<svg class="dash-(?:chart|runbar)".*?</svg>', html, re.S))
    assert re.search(r'\bwidth="\d+\.\d+"', svg), "no fractional coordinate to check"
    assert not re.search(r'="[\d.]*,\d', svg)


def test_times_show_the_zones_utc_offset(admin_client, two_teams, settings):
    settings.TIME_ZONE = "Asia/Singapore"
    text = text_of(admin_client.get(HOME))
    # South is a Philippine shop: its authorization's end in Manila time, as +08, never "PST".
    assert re.search(r"ends in 3 days \(\d{4}-\d\d-\d\d \d\d:\d\d \+08\)", text)
    assert "PST" not in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d \+08 · merch", text)  # a run's start


def test_calls_are_counted_in_their_hour(two_teams, admin_user):
    board = dashboard_for(admin_user)
    last, day_before = board.hours[-1], board.hours[-31]
    assert (last.calls, last.refused, last.failed) == (5, 1, 1)
    assert day_before.calls == 1
    assert sum(hour.calls for hour in board.hours) == 6  # the call of 8 days ago is left out


def test_sections_follow_the_users_permissions(client, two_teams):
    """Staff who may only look at vouchers see live promotions, not the call charts."""
    user = UserFactory(
        username="looker", permissions=["vouchers.view_voucher", "shops.view_all_shops"]
    )
    client.force_login(user)
    response = client.get(HOME)
    board = board_of(response)
    assert board.live_shops and board.alerts is None and board.runs is None and board.hours is None
    assert "calls-chart" not in response.text


def grow(two_teams, n):
    """More of everything: shops, vouchers, runs, items and calls."""
    for k in range(n):
        shop = ShopTokenFactory(shop=ShopFactory(name=f"Extra {n}-{k}", region="SG")).shop
        shop.teams.add(*two_teams["north"].teams.all())
        shop.needs_reauth_since = timezone.now()
        shop.save()
        for _ in range(3):
            VoucherFactory(shop=shop)
        make_run(shop, ["ended", "refused", "failed"])
        for hours in range(0, 100, 7):
            make_call(shop, ago=dt.timedelta(hours=hours), outcome="refused")


@pytest.mark.parametrize("who", ["admin", "north_user"])
def test_the_query_count_does_not_grow_with_the_data(client, two_teams, admin_user, who):
    client.force_login(admin_user if who == "admin" else two_teams["north_user"])
    client.get(HOME)  # warm up (session, content types)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured.captured_queries)

    small = queries()
    grow(two_teams, 15)
    assert queries() == small


# Our English on the dashboard, which no other language may show (names, ids and times aside).
ENGLISH = [
    "At a glance",
    "Shops needing attention",
    "Needs re-authorization",
    "authorization ends in",
    "Live promotions per shop",
    "ongoing",
    "upcoming",
    "All my shops",
    "Last runs",
    "Outcome",
    "ended,",
    "All runs",
    "Shopee calls per hour",
    "calls in all",
    "errors in all",
    "Errors per hour",
    "refused by Shopee",
    "The call log",
    "Everything you can manage",
]


@pytest.mark.parametrize("language", ["vi", "th", "id", "ms", "zh-hant", "pt-br"])
def test_the_dashboard_is_translated(admin_client, two_teams, language):
    response = admin_client.get(HOME, HTTP_ACCEPT_LANGUAGE=language)
    assert f'<html lang="{language}"' in response.text
    dashboard = response.text.split('id="content-main"')[0]
    text = text_of(HttpResponse(dashboard))
    left = [phrase for phrase in ENGLISH if phrase in text]
    assert left == [], f"English left in {language}: {left}"
    # The charts' tooltips and labels too.
    assert " calls</title>" not in dashboard and " errors (" not in dashboard
