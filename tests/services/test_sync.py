import datetime as dt
import time

import pytest

from tests.factories import ShopTokenFactory, VoucherFactory
from vouchers.models import ShopeeCall, Voucher
from vouchers.services.shops import ShopNotConnected
from vouchers.services.sync import shop_vouchers_sync
from vouchers.shopee.errors import ShopeeAuthError

pytestmark = pytest.mark.django_db


def test_sync_pages_through_every_voucher_and_audits_each_page(sandbox):
    token = ShopTokenFactory()
    document = sandbox.mirror()
    now = int(time.time())
    document["vouchers"] = [
        {
            "shop_id": token.shop.shop_id,
            "voucher_id": 2**40 + n,
            "voucher_code": f"SALE{n}",
            "start_time": now - 3600,
            "end_time": now + 3600 * (n + 1),
            "voucher_purpose": 4 if n == 3 else 0,
            "is_admin": n == 5,
        }
        for n in range(250)
    ]
    sandbox.control.reset(document)

    result = shop_vouchers_sync(shop=token.shop, actor_label="test")

    assert (result.created, result.updated, result.pages) == (250, 0, 3)
    assert Voucher.objects.filter(shop=token.shop).count() == 250
    voucher = Voucher.objects.get(voucher_id=2**40 + 3)
    assert voucher.voucher_code == "SALE3" and voucher.voucher_purpose == 4
    assert voucher.end_time == dt.datetime.fromtimestamp(now + 3600 * 4, tz=dt.UTC)
    assert Voucher.objects.get(voucher_id=2**40 + 5).is_admin
    pages = ShopeeCall.objects.filter(endpoint="/api/v2/voucher/get_voucher_list")
    assert pages.count() == 3
    assert {call.outcome for call in pages} == {"success"}
    assert all(len(call.request_id) == 32 for call in pages)
    token.shop.refresh_from_db()
    assert token.shop.vouchers_synced_at is not None


def test_sync_updates_existing_records_from_shopee(sandbox):
    voucher = VoucherFactory(voucher_name="Old name")
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror(changes={voucher: {"voucher_name": "New name"}})

    result = shop_vouchers_sync(shop=voucher.shop)

    assert (result.created, result.updated) == (0, 1)
    voucher.refresh_from_db()
    assert voucher.voucher_name == "New name"


def test_sync_without_token_is_refused_clearly(sandbox):
    voucher = VoucherFactory()
    with pytest.raises(ShopNotConnected, match="no access token"):
        shop_vouchers_sync(shop=voucher.shop)
    assert not ShopeeCall.objects.exists()


def test_sync_with_a_rejected_token_is_audited(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    token.access_token = "1" * 32
    token.refresh_token = "2" * 32
    token.save()
    with pytest.raises(ShopeeAuthError):
        shop_vouchers_sync(shop=token.shop)
    calls = ShopeeCall.objects.order_by("id")
    assert [(c.endpoint, c.outcome, c.error) for c in calls] == [
        ("/api/v2/voucher/get_voucher_list", "refused", "error_auth"),
        ("/api/v2/auth/access_token/get", "refused", "error_auth"),
    ]
