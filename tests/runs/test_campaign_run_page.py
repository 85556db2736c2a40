"""A campaign run's page in its kinds' words: counts per kind, each item's kind and the Shopee
call its action sends, the selection and rule with the kinds' names; and confirming a campaign
costs the same number of queries for one shop as for three."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobs.models import JobKind, ShopJob
from runs.admin.runs import cancel_words, retry_words
from runs.models import EndRun
from runs.services.create import run_create
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.pages import finish_runs, text_of
from tests.runs.test_campaign_page import (  # noqa: F401 (fixtures)
    campaigner,
    preview_url,
    read,
    seed_campaign,
    shops,
    staff,
    start,
)
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def until():
    """A campaign window's end: three days from now ("Summer" starts later)."""
    return (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def run_page(client, run):
    return client.get(reverse("admin:runs_endrun_change", args=[run.pk]))


def kinds_table(html):
    """{kind label: [ended, deleted, switched off, skipped, refused, failed, pending, canceled]}."""
    table = html.split('id="run-kinds"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr data-kind=.*?</tr>", table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>.*?</td>", row)]
        rows[cells[0]] = [int(cell) for cell in cells[1:]]
    return rows


def item_rows(html):
    """The rows of "Promotions in this run", each as its cells' texts."""
    table = html.split('id="run-items"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", " ", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        ]
        for row in rows
    ]


def test_a_mixed_campaign_run_page_counts_and_words_each_kind(staff, shops):  # noqa: F811
    answer = start(staff, [shops["th"], shops["sg"]], window_to=until())
    read(staff, answer)
    job = ShopJob.objects.get(kind=JobKind.CAMPAIGN)
    assert staff.post(preview_url(job), {"confirm": "1"}).status_code == 302
    run = EndRun.objects.get()
    finish_runs()

    page = run_page(staff, run)
    assert page.status_code == 200
    html, text = page.content.decode(), text_of(page)
    # Per kind, over both shops: a flash sale is switched off, not ended; the discount that
    # started ten minutes ago and the one Shopee manages are skipped in each shop.
    assert kinds_table(html) == {
        "Vouchers": [2, 2, 0, 0, 0, 0, 0, 0],
        "Discounts": [2, 2, 0, 4, 0, 0, 0, 0],
        "Bundle deals": [2, 0, 0, 0, 0, 0, 0, 0],
        "Add-on deals": [0, 2, 0, 0, 0, 0, 0, 0],
        "Follow prizes": [2, 0, 0, 0, 0, 0, 0, 0],
        "Shop flash sales": [0, 0, 2, 0, 0, 0, 0, 0],
    }
    shops_table = html.split('id="run-shops"')[1].split("</table>")[0]
    assert "<th>Deleted</th>" in shops_table
    assert re.search(r"Acme Singapore \(7200\)</td><td>5</td><td>3</td><td>2</td>", shops_table)

    assert "Promotions in this run" in text and "Vouchers in this run" not in text
    rows = item_rows(html)
    discount = next(row for row in rows if row[1].startswith("XMAS discount ("))
    assert discount[0] == "Discount" and discount[3] == "End (end_discount)"
    assert "voucher" not in " ".join(discount).lower()
    flash_sale = next(row for row in rows if row[0] == "Shop flash sale")
    assert flash_sale[3] == "Switch off (update_shop_flash_sale)"
    add_on = next(row for row in rows if row[0] == "Add-on deal")
    assert add_on[3] == "Delete at Shopee (delete_add_on_deal)"
    voucher = next(row for row in rows if row[1].startswith("XMAS10 ("))
    assert voucher[0] == "Voucher" and voucher[3] == "End (end_voucher)"

    # The selection and the rule name the kinds in words, never their code names.
    assert not re.search(r"\b(bundle_deal|shop_flash_sale|add_on_deal)\b", text)
    kinds = "vouchers, discounts, bundle deals, add-on deals, follow prizes, shop flash sales"
    selection = f"Stop a campaign: {kinds} of Acme Singapore (7200), Acme Thailand (7100)"
    assert re.search(re.escape(selection) + r", starting before 20\d\d-\d\d-\d\d \d\d:\d\d", text)
    rule = text.split("Rule, resolved")[1].split("listed below")[0]
    assert f"every ongoing or upcoming promotion of these kinds: {kinds}" in rule
    assert "voucher " not in rule.replace("vouchers,", "")
    assert re.search(r"starting before \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d", rule)


def test_a_voucher_run_page_keeps_its_words(merch_client, merchandiser, sandbox):
    VoucherFactory.create_batch(2, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=merchandiser, selection="2 selected")
    finish_runs()
    text = text_of(run_page(merch_client, run))
    assert "Vouchers in this run" in text and "End (end_voucher)" in text
    assert "2 selected" in text
    assert "Per kind" not in text and "Promotions in this run" not in text


@pytest.fixture
def four_shops(sandbox):
    """Four connected shops, each with a campaign of every kind at Shopee."""
    made = [
        ShopTokenFactory(shop=ShopFactory(name=f"Shop {n}", shop_id=7300 + n, region="SG")).shop
        for n in range(4)
    ]
    sandbox.mirror()
    for n, shop in enumerate(made):
        seed_campaign(sandbox, shop, 730_000 + n * 1000)
    return made


def confirm_queries(client, shops_of_campaign) -> int:
    answer = start(client, shops_of_campaign, window_to=until())
    read(client, answer)
    job = ShopJob.objects.filter(kind=JobKind.CAMPAIGN).latest("pk")
    with CaptureQueriesContext(connection) as queries:
        confirmed = client.post(preview_url(job), {"confirm": "1"})
    assert confirmed.status_code == 302
    run = EndRun.objects.latest("pk")
    assert run.items.filter(shop__in=shops_of_campaign).count() == 10 * len(shops_of_campaign)
    return len(queries)


def test_confirming_a_campaign_costs_as_many_queries_for_three_shops_as_for_one(staff, four_shops):  # noqa: F811
    one = confirm_queries(staff, four_shops[:1])
    three = confirm_queries(staff, four_shops[1:])
    assert three == one, (one, three)


@pytest.mark.parametrize(
    ("rule", "canceled", "retried", "none"),
    [
        (
            {"kinds": ["discount"], "shops": []},
            "Run 7 canceled: 2 pending promotions will not be stopped.",
            "Retrying 1 failed promotion.",
            "No failed promotions to retry.",
        ),
        (
            None,
            "Run 7 canceled: 2 pending vouchers will not be ended.",
            "Retrying 1 failed voucher.",
            "No failed vouchers to retry.",
        ),
    ],
)
def test_cancel_and_retry_speak_of_the_runs_own_kind(rule, canceled, retried, none):
    run = EndRun(pk=7, rule=rule)
    assert cancel_words(run, 2).startswith(canceled)
    assert retry_words(run, 1) == retried
    assert retry_words(run, 0) == none
