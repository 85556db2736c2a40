"""Saving one page of Shopee's voucher list: the rows written, their values, what is refused."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import ShopFactory
from vouchers.models import Voucher
from vouchers.services.voucher_records import MalformedVoucher, save_page

pytestmark = pytest.mark.django_db

NOW = 1_800_000_000


def item(voucher_id, **fields):
    return {"voucher_id": voucher_id, "start_time": NOW, "end_time": NOW + 3600, **fields}


def test_a_voucher_listed_twice_on_a_page_is_saved_once_as_listed_last():
    shop = ShopFactory()
    page = [item(1, voucher_code="FIRST"), item(2), item(1, voucher_code="LAST")]

    assert save_page(shop, page) == (2, 0, [1, 2])
    assert Voucher.objects.get(shop=shop, voucher_id=1).voucher_code == "LAST"
    assert save_page(shop, page) == (0, 2, [1, 2])
    assert Voucher.objects.filter(shop=shop).count() == 2


def test_vouchers_that_share_times_and_amounts_each_get_their_own_values():
    shop = ShopFactory()
    page = [
        item(1, discount_amount=5, display_start_time=NOW - 60),
        item(2, discount_amount=5.5, end_time=NOW + 60),
        item(3, discount_amount=5, start_time=NOW - 60, end_time=NOW + 60),
        item(4, discount_amount="5.5", start_time=str(NOW)),
    ]

    save_page(shop, page)

    saved = {v.voucher_id: v for v in Voucher.objects.filter(shop=shop)}
    at = dt.datetime.fromtimestamp
    assert saved[1].start_time == at(NOW, tz=dt.UTC) == saved[4].start_time
    assert saved[1].display_start_time == at(NOW - 60, tz=dt.UTC) == saved[3].start_time
    assert saved[2].end_time == at(NOW + 60, tz=dt.UTC) == saved[3].end_time
    assert saved[1].end_time == at(NOW + 3600, tz=dt.UTC)
    assert saved[2].display_start_time is None
    assert [saved[n].discount_amount for n in (1, 2, 3, 4)] == [
        Decimal("5.00"),
        Decimal("5.50"),
        Decimal("5.00"),
        Decimal("5.50"),
    ]


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        # True is 1 to Python, and a time already met on the page must not let it through.
        ({"start_time": True}, "start_time must be a whole number"),
        ({"end_time": None}, "end_time is missing"),
        ({"usage_quantity": -1}, "usage_quantity must be at least 0"),
        ({"voucher_type": 2**15}, "voucher_type is too large"),
    ],
)
def test_a_page_with_a_value_that_cannot_be_stored_saves_nothing(fields, refusal):
    shop = ShopFactory()
    page = [item(1, start_time=1), item(2, **fields)]

    with pytest.raises(MalformedVoucher, match=refusal):
        save_page(shop, page)

    assert not Voucher.objects.exists()
