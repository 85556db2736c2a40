import datetime as dt
import time

import pytest

from audit.models import ShopeeCall
from shopee.errors import ShopeeAuthError, ShopeeTransientError
from shops.models import Shop
from shops.services.shops import ShopNotConnected
from tests.factories import ShopTokenFactory, VoucherFactory
from vouchers.models import Voucher
from vouchers.services.sync import shop_vouchers_sync, shops_vouchers_sync

LIST = "/api/v2/voucher/get_voucher_list"

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


@pytest.fixture
def five_shops(sandbox):
    """Five connected shops with 150 vouchers each at Shopee (two pages a shop)."""
    tokens = [ShopTokenFactory() for _ in range(5)]
    document = sandbox.mirror()
    now = int(time.time())
    document["vouchers"] = [
        {
            "shop_id": token.shop.shop_id,
            "voucher_id": 10**10 * (n + 1) + v,
            "start_time": now - 60,
            "end_time": now + 3600,
        }
        for n, token in enumerate(tokens)
        for v in range(150)
    ]
    sandbox.control.reset(document)
    return [token.shop for token in tokens]


def test_many_shops_are_read_side_by_side_each_page_in_order(sandbox, five_shops):
    results = shops_vouchers_sync(shops=five_shops, actor_label="test")

    assert [(r.shop, r.ok, r.created, r.pages) for r in results] == [
        (shop, True, 150, 2) for shop in five_shops
    ]
    assert Voucher.objects.count() == 750
    for shop in five_shops:
        pages = [c["query"]["page_no"] for c in sandbox.calls(LIST) if c["shop_id"] == shop.shop_id]
        assert pages == ["1", "2"]
    assert ShopeeCall.objects.filter(endpoint=LIST, outcome="success").count() == 10


def test_one_failing_shop_does_not_stop_the_others(sandbox, five_shops, settings):
    broken = five_shops[2]
    sandbox.control.set_faults(
        [{"path": LIST, "shop_id": broken.shop_id, "kind": "http_status", "status": 503}]
    )

    results = shops_vouchers_sync(shops=five_shops)

    assert [r.ok for r in results] == [True, True, False, True, True]
    assert "HTTP 503" in str(results[2].error)
    attempts = ShopeeCall.objects.filter(shop=broken).values_list("attempt", flat=True)
    assert sorted(attempts) == list(range(1, settings.END_RUN_MAX_ATTEMPTS + 1))
    assert Shop.objects.get(pk=broken.pk).vouchers_synced_at is None


def test_a_rate_limited_shop_cools_down_and_is_read_in_full(sandbox, five_shops):
    limited = five_shops[0]
    sandbox.control.set_faults(
        [
            {
                "path": LIST,
                "shop_id": limited.shop_id,
                "kind": "shopee_error",
                "error": "error_rate_limit",
                "times": 2,
            }
        ]
    )

    results = shops_vouchers_sync(shops=five_shops)

    assert all(result.ok for result in results)
    assert Voucher.objects.filter(shop=limited).count() == 150


def test_a_malformed_page_saves_nothing_of_it(sandbox):
    token = ShopTokenFactory()
    document = sandbox.mirror()
    now = int(time.time())
    document["vouchers"] = [
        {"shop_id": token.shop.shop_id, "voucher_id": 1, "start_time": now, "end_time": now + 9},
        {
            "shop_id": token.shop.shop_id,
            "voucher_id": 2,
            "start_time": now,
            "end_time": now + 9,
            "usage_quantity": "²",
        },
    ]
    sandbox.control.reset(document)

    with pytest.raises(ShopeeTransientError, match="usage_quantity must be a whole number"):
        shop_vouchers_sync(shop=token.shop)

    assert not Voucher.objects.exists()


def test_a_sync_waits_out_a_shopee_outage_instead_of_giving_up(sandbox, five_shops, settings):
    """Shopee answers 502 to every call for a while (more failures than a page's attempts):
    the sync waits, probing one call at a time, and reads every shop in full once Shopee is
    back, where it used to give each shop up after END_RUN_MAX_ATTEMPTS (issue 18)."""
    settings.END_RUN_MAX_ATTEMPTS = 2
    settings.END_RUN_OUTAGE_CALLS = 3
    settings.END_RUN_OUTAGE_PROBE_SECONDS = 0.1
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 502, "times": 15}])

    results = shops_vouchers_sync(shops=five_shops)

    assert [(r.ok, r.created, r.pages) for r in results] == [(True, 150, 2)] * 5
    assert Voucher.objects.count() == 750
    failed = ShopeeCall.objects.filter(endpoint=LIST, outcome="failed").count()
    assert failed == 15


def test_a_sync_stops_after_the_longest_wait_and_says_so(sandbox, five_shops, settings):
    """Shopee stays down past END_RUN_OUTAGE_MAX_WAIT_SECONDS: every shop not read in full
    fails with that reason (none is reported read)."""
    settings.END_RUN_OUTAGE_CALLS = 3
    settings.END_RUN_OUTAGE_PROBE_SECONDS = 0.1
    settings.END_RUN_OUTAGE_MAX_WAIT_SECONDS = 0.5
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 502}])

    results = shops_vouchers_sync(shops=five_shops)

    assert not [r for r in results if r.ok]
    assert not Shop.objects.filter(vouchers_synced_at__isnull=False).exists()
    assert any("longest wait" in str(r.error) for r in results)
