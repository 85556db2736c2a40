"""The voucher list shows what a merchandiser decides on, in few columns (a 1366 px laptop):
code, name (cut, whole in the tooltip), status as a badge, shop, start and end in the shop's
time with its UTC offset, and whether Shopee manages it; a voucher's page says whether it can
be ended and why not."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ShopFactory, VoucherFactory
from tests.pages import text_of
from vouchers.models.voucher import VoucherPurpose
from vouchers.services.kinds.voucher import SKIP_SHOPEE_MANAGED, SKIP_UPCOMING

pytestmark = pytest.mark.django_db

LIST = reverse("admin:vouchers_voucher_changelist")
LONG_NAME = "Twelve-twelve mega sale: 15% off everything above 500 baht for new followers only"


def page_of(voucher):
    return reverse("admin:vouchers_voucher_change", args=[voucher.pk])


def cells(html, column):
    return re.findall(rf'<td class="field-{column}[^"]*">(.*?)</td>', html, flags=re.S)


def test_the_list_has_the_deciding_columns_only(merch_client):
    shop = ShopFactory(name="Acme Philippines", region="PH")
    start = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
    VoucherFactory(
        shop=shop,
        voucher_code="MEGA12",
        voucher_name=LONG_NAME,
        start_time=start,
        end_time=start + dt.timedelta(days=30),
    )
    html = merch_client.get(LIST).content.decode()
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', html)
    assert headers == [
        "voucher_code",
        "name_label",
        "status_label",
        "shop_label",
        "shop_times",
        "managed_label",
    ]
    (name,) = cells(html, "name_label")
    assert f'title="{LONG_NAME}"' in name and 'class="truncate cell-name"' in name
    (times,) = cells(html, "shop_times")
    assert "2026-12-07 14:00 +08" in times and "2027-01-06 14:00 +08" in times
    assert "PST" not in html


def test_status_is_a_badge_for_each_state(merch_client):
    shop = ShopFactory()
    VoucherFactory(shop=shop, voucher_code="A-ON")
    VoucherFactory(shop=shop, voucher_code="B-UP", upcoming=True)
    VoucherFactory(shop=shop, voucher_code="C-EXP", expired=True)
    VoucherFactory(shop=shop, voucher_code="D-END", ended_at=timezone.now())
    VoucherFactory(shop=shop, voucher_code="E-DEL", upcoming=True, deleted_at=timezone.now())
    html = merch_client.get(LIST + "?o=1").content.decode()
    badges = re.findall(r'<span class="badge badge-(\w+)">([^<]+)</span>', html)
    assert sorted(badges) == [
        ("deleted", "Deleted"),
        ("ended", "Ended"),
        ("expired", "Expired"),
        ("ongoing", "Ongoing"),
        ("upcoming", "Upcoming"),
    ]


def test_shopee_managed_vouchers_are_marked(merch_client):
    shop = ShopFactory()
    VoucherFactory(shop=shop, voucher_code="MINE")
    VoucherFactory(shop=shop, voucher_code="GAME", voucher_purpose=VoucherPurpose.SHOP_GAME)
    VoucherFactory(shop=shop, voucher_code="ADMIN", is_admin=True)
    html = merch_client.get(LIST).content.decode()
    marks = [cell.strip() for cell in cells(html, "managed_label")]
    assert sum("badge-shopee" in mark for mark in marks) == 2
    assert len(marks) == 3
    assert SKIP_SHOPEE_MANAGED.split(" (")[0] in html  # why, in the tooltip


def test_the_list_makes_the_same_queries_for_3_or_60_vouchers(merch_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert merch_client.get(LIST).status_code == 200
        return len(captured)

    for n in range(3):
        VoucherFactory(shop=ShopFactory(name=f"Shop {n}"))
    few = queries()
    for n in range(57):
        VoucherFactory(shop=ShopFactory(name=f"More {n}"), is_admin=n % 2 == 0)
    assert queries() == few


def test_a_vouchers_page_says_it_can_be_ended(merch_client):
    voucher = VoucherFactory(voucher_name=LONG_NAME)
    text = text_of(merch_client.get(page_of(voucher)))
    assert "Ongoing It can be ended" in text
    assert LONG_NAME in text  # the whole name is on the page


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"upcoming": True}, "Upcoming", SKIP_UPCOMING),
        ({"voucher_purpose": VoucherPurpose.MEMBERSHIP}, "Ongoing", SKIP_SHOPEE_MANAGED),
        ({"ended_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)}, "Ended", "Already ended"),
    ],
)
def test_a_vouchers_page_says_why_it_cannot_be_ended(merch_client, fields, status, reason):
    voucher = VoucherFactory(**fields)
    text = text_of(merch_client.get(page_of(voucher)))
    assert f"{status} It cannot be ended: {reason}" in text
