"""Many shops' details fetched side by side (services/shop_info.py), through the dispatcher."""

import time

import pytest

from audit.models import ShopeeCall
from jobs.services.shop_info import shops_info_update
from shopee.client import get_client
from shops.models import Shop
from tests.factories import ShopFactory, ShopTokenFactory

pytestmark = pytest.mark.django_db

SHOP_INFO = "/api/v2/shop/get_shop_info"
REFRESH = "/api/v2/auth/access_token/get"


@pytest.fixture
def eight_shops(sandbox):
    tokens = [
        ShopTokenFactory(shop=ShopFactory(name=f"Acme {n}", shop_id=7_300 + n, region="TH"))
        for n in range(8)
    ]
    sandbox.mirror()
    Shop.objects.update(name="unknown", region="")
    return [token.shop for token in tokens]


def test_shops_are_read_side_by_side(sandbox, eight_shops, settings):
    sandbox.control.set_faults([{"path": SHOP_INFO, "kind": "latency", "latency_ms": 500}])
    done = []

    started = time.monotonic()
    results = shops_info_update(shops=eight_shops, client=get_client(), on_shop=done.append)
    took = time.monotonic() - started

    assert took < 2.0, f"8 shops at 0.5 s each took {took:.2f} s (one after another: 4 s)"
    assert all(result.ok for result in results) and len(done) == 8
    assert sorted(Shop.objects.values_list("name", flat=True)) == [f"Acme {n}" for n in range(8)]
    assert set(Shop.objects.values_list("region", flat=True)) == {"TH"}
    assert ShopeeCall.objects.filter(endpoint=SHOP_INFO, outcome="success").count() == 8


def test_a_rejected_token_is_refreshed_and_the_call_sent_again(sandbox, eight_shops):
    shop = eight_shops[3]
    sandbox.control.set_faults(
        [
            {
                "path": SHOP_INFO,
                "shop_id": shop.shop_id,
                "kind": "shopee_error",
                "error": "invalid_acceess_token",
                "message": "Invalid access_token.",
                "times": 1,
            }
        ]
    )

    results = shops_info_update(shops=[shop], client=get_client())

    assert results[0].ok
    assert Shop.objects.get(pk=shop.pk).name == "Acme 3"
    assert [call["path"] for call in sandbox.calls()] == [SHOP_INFO, REFRESH, SHOP_INFO]


def test_one_shops_failure_does_not_stop_the_others(sandbox, eight_shops):
    unconnected = ShopFactory(name="Lonely")
    banned = eight_shops[0]
    sandbox.control.update_shop(banned.shop_id, status="BANNED")

    results = shops_info_update(shops=[unconnected, *eight_shops], client=get_client())

    assert "no access token" in str(results[0].error)
    assert [result.ok for result in results[2:]] == [True] * 7
    assert Shop.objects.get(pk=banned.pk).needs_reauth  # Shopee reports the shop as BANNED
