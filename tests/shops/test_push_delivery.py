"""Shopee's pushes over real HTTP: the sandbox POSTs signed pushes to our live server."""

import pytest
from django.urls import reverse

from audit.models import ShopeePush
from audit.models.pushes import RejectedPush
from shops.models import Shop
from tests.factories import ShopTokenFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def push_url(sandbox, live_server, settings):
    url = live_server.url + reverse("shopee_push")
    settings.SHOPEE_PUSH_URL = url
    return url


def test_registering_the_url_sends_a_verification_push_we_answer(sandbox, push_url):
    answer = sandbox.control.set_push_url(push_url)

    assert answer["verification"]["delivered"] and answer["verification"]["status"] == 200
    assert ShopeePush.objects.get().outcome == "verification"


def test_a_cancelled_authorization_is_pushed_and_applied(sandbox, push_url):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    sandbox.control.set_push_url(push_url)

    result = sandbox.control.cancel_authorization(shop.shop_id)

    assert result["push"]["delivered"] and result["push"]["status"] == 200
    shop.refresh_from_db()
    assert shop.needs_reauth and "seller cancelled" in shop.needs_reauth_reason
    row = ShopeePush.objects.get(code=2)
    assert row.signature_valid and row.remote_addr == "127.0.0.1"


def test_a_push_we_refuse_is_lost_at_shopee(sandbox, push_url, settings):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    sandbox.control.set_push_url(push_url)
    settings.SHOPEE_PUSH_URL = "https://elsewhere.example/shopee/push/"  # signature won't match

    result = sandbox.control.expire_soon([shop.shop_id])

    assert not result["push"]["delivered"] and result["push"]["status"] == 401
    assert not Shop.objects.get(pk=shop.pk).authorization_expiry_notice_at
    assert RejectedPush.objects.get().reason == "signature"
    assert not ShopeePush.objects.filter(code=12).exists()
