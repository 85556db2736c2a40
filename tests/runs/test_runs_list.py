"""The runs list says how each run went: its counts (ended, deleted, skipped, refused, failed)
and a small stacked bar, and a run with refusals or failures does not look like a clean
"Finished"; one query per page whatever the runs' sizes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from runs.models import EndRunItem
from tests.factories import ShopFactory, UserFactory
from tests.ops.test_dashboard import make_run, team_member

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:runs_endrun_changelist")


def row_of(html, run):
    link = reverse("admin:runs_endrun_change", args=[run.pk])
    return next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f'href="{link}' in r)


def cell(row, column):
    return re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', row, re.S).group(1)


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", is_superuser=True)


def test_each_run_shows_its_counts_and_a_bar(client, boss):
    shop = ShopFactory()
    run = make_run(shop, ["ended"] * 6 + ["deleted"] + ["skipped"] * 2 + ["pending"])
    client.force_login(boss)
    row = row_of(client.get(RUNS).content.decode(), run)
    outcome = cell(row, "outcome")
    assert "6 ended, 1 deleted, 2 skipped" in outcome
    rects = re.findall(r'<rect class="run-(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', outcome)
    assert [(state, float(width)) for state, _x, width in rects] == [
        ("ended", 60.0),
        ("deleted", 10.0),
        ("skipped", 20.0),
        ("other", 10.0),
    ]
    assert "style=" not in row  # the CSP forbids inline styles
    assert '<span class="badge badge-finished">Finished</span>' in cell(row, "status_label")


def test_a_run_with_refusals_or_failures_is_not_a_clean_finished(client, boss):
    shop = ShopFactory()
    troubled = make_run(shop, ["ended"] * 20 + ["refused"] * 3 + ["failed"])
    client.force_login(boss)
    row = row_of(client.get(RUNS).content.decode(), troubled)
    status = cell(row, "status_label")
    assert "badge-problems" in status and "Finished, 4 vouchers not ended" in status
    assert ">Finished<" not in status
    assert "20 ended, 3 refused, 1 failed" in cell(row, "outcome")
    assert 'class="run-refused"' in row and 'class="run-failed"' in row
    one = make_run(shop, ["ended", "failed"])
    row = row_of(client.get(RUNS).content.decode(), one)
    assert "Finished, 1 voucher not ended" in cell(row, "status_label")


def test_a_team_member_counts_only_their_shops_items(client):
    mine, theirs = ShopFactory(name="Mine"), ShopFactory(name="Theirs")
    run = make_run(mine, ["ended"] * 2)
    make_run(theirs, ["failed"] * 5)  # not listed to them
    EndRunItem.objects.create(
        run=run,
        shop=theirs,
        voucher_shopee_id=1,
        original_end_time=run.created_at,
        state="failed",
    )
    client.force_login(team_member("somchai", mine))
    html = client.get(RUNS).content.decode()
    row = row_of(html, run)
    assert "2 ended" in cell(row, "outcome") and "failed" not in cell(row, "outcome")
    assert "badge-finished" in cell(row, "status_label")


def test_the_list_makes_the_same_queries_for_2_or_20_runs(client, boss):
    shop = ShopFactory()
    client.force_login(boss)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(RUNS).status_code == 200
        return len(captured)

    for _ in range(2):
        make_run(shop, ["ended", "refused"])
    few = queries()
    for n in range(18):
        make_run(shop, ["ended"] * n + ["failed"])
    assert queries() == few
