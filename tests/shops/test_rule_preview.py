"""The rule's preview lists the vouchers it matches (code, name, shop, status, end time), a page
at a time, keeping the shops and the rule across pages, in a constant number of queries."""

import re
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.regions import region_time
from runs.models import EndRun
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import text_of

pytestmark = pytest.mark.django_db

RULE = reverse("admin:shops_shop_end_rule")


@pytest.fixture
def north(db):
    return ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop


@pytest.fixture
def south(db):
    return ShopTokenFactory(shop=ShopFactory(name="South", shop_id=7002)).shop


def preview(client, *shops, **fields):
    data = {ACTION_CHECKBOX_NAME: [shop.pk for shop in shops], "preview": "1", **fields}
    return client.post(RULE, data)


def matched_codes(response):
    table = re.search(r'<table id="rule-matches">(.*?)</table>', response.content.decode(), re.S)
    if table is None:
        return []
    return re.findall(r"<tr><td>([^<]*)</td>", table.group(1))


def page_links(response):
    nav = re.search(
        r'class="paginator rule-matches-paging".*?</nav>', response.content.decode(), re.S
    )
    return [unescape(link) for link in re.findall(r'href="([^"]+)"', nav.group(0))] if nav else []


def test_the_preview_lists_each_matched_voucher(merch_client, north, south):
    flash = VoucherFactory(shop=north, voucher_code="FLASH1", voucher_name="Flash sale 12.12")
    VoucherFactory(shop=north, voucher_code="OTHER1")
    VoucherFactory(shop=south, voucher_code="FLASH9", voucher_name="Flash south")
    VoucherFactory(shop=north, voucher_code="FLASH2", upcoming=True)
    VoucherFactory(shop=north, voucher_code="FLASH3", expired=True)
    VoucherFactory(shop=north, voucher_code="FLASHGAME", voucher_purpose=4)  # Shopee's

    response = preview(merch_client, north, south, code_prefix="flash")
    page = text_of(response)

    assert response.status_code == 200
    assert matched_codes(response) == ["FLASH1", "FLASH9"]  # by shop name, then end time
    assert "FLASH1 Flash sale 12.12 North Ongoing" in page
    assert "FLASH9 Flash south South Ongoing" in page
    assert "1–2 of 2 vouchers" in page
    # The end time in the shop's zone, with its UTC offset.
    assert region_time(flash.end_time, north.region) in page
    assert re.search(
        r"FLASH1 Flash sale 12\.12 North Ongoing \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d", page
    )
    assert not EndRun.objects.exists()


def test_the_upcoming_ones_are_listed_when_they_are_to_be_deleted(client, north):
    client.force_login(
        UserFactory(
            username="deleter", permissions=[*MERCHANDISER_PERMISSIONS, "vouchers.delete_voucher"]
        )
    )
    VoucherFactory(shop=north, voucher_code="FLASH1")
    VoucherFactory(shop=north, voucher_code="FLASH2", upcoming=True)

    kept = preview(client, north, code_prefix="FLASH")
    deleted = preview(client, north, code_prefix="FLASH", delete_upcoming="on")

    assert matched_codes(kept) == ["FLASH1"]
    assert matched_codes(deleted) == ["FLASH1", "FLASH2"]
    assert "FLASH2 " in text_of(deleted) and "Upcoming" in text_of(deleted)
    # The page links keep the choice to delete.
    VoucherFactory.create_batch(60, shop=north, voucher_code="FLASHX", upcoming=True)
    second = client.get(RULE + page_links(preview(client, north, delete_upcoming="on"))[0])
    assert "delete_upcoming=on" in page_links(second)[0]
    assert re.search(r'<input[^>]*name="delete_upcoming"[^>]*checked', second.content.decode())


def test_nothing_matched_says_so(merch_client, north):
    VoucherFactory(shop=north, voucher_code="OTHER1")
    page = text_of(preview(merch_client, north, name_contains="nothing"))
    assert "Our copy has no voucher that the rule matches now." in page


def test_pages_keep_the_shops_and_the_rule(merch_client, north, south):
    VoucherFactory.create_batch(60, shop=north, voucher_name="Flash sale")
    VoucherFactory.create_batch(60, shop=south, voucher_name="Flash sale")
    VoucherFactory.create_batch(5, shop=north, voucher_name="Other")

    first = preview(merch_client, north, south, name_contains="flash")
    assert len(matched_codes(first)) == 50
    assert "1–50 of 120 vouchers" in text_of(first)
    links = page_links(first)
    assert [link.rsplit("page=", 1)[1] for link in links] == ["2", "3"]

    third = merch_client.get(RULE + links[-1])
    assert third.status_code == 200
    assert "101–120 of 120 vouchers" in text_of(third)
    assert len(matched_codes(third)) == 20
    # The form still holds the rule, and the next preview or the run keeps both shops.
    html = third.content.decode()
    assert 'name="name_contains" value="flash"' in html
    for shop in (north, south):
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{shop.pk}"' in html
    seen = set(matched_codes(first))
    for link in links:
        seen |= set(matched_codes(merch_client.get(RULE + link)))
    assert len(seen) == 120  # every match on exactly one page


def test_a_page_out_of_range_or_not_a_number_shows_a_page(merch_client, north):
    VoucherFactory.create_batch(3, shop=north)
    for page in ("999", "abc", "-1", "0"):
        response = merch_client.get(RULE, {"shop": north.pk, "page": page})
        assert response.status_code == 200
        assert len(matched_codes(response)) == 3


def test_a_bad_rule_in_the_link_is_a_message_not_a_traceback(merch_client, north):
    response = merch_client.get(RULE, {"shop": north.pk, "code_prefix": "x" * 101})
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in text_of(response)


def test_the_preview_reads_a_constant_number_of_queries_per_page(merch_client, north, south):
    def queries(vouchers):
        VoucherFactory.create_batch(vouchers, shop=north)
        VoucherFactory.create_batch(vouchers, shop=south)
        with CaptureQueriesContext(connection) as captured:
            response = merch_client.get(RULE, {"shop": [north.pk, south.pk], "page": "2"})
        assert response.status_code == 200
        return len(captured)

    few = queries(30)
    assert queries(200) == few
