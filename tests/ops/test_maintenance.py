"""Periodic upkeep: tokens refreshed before they expire, vouchers re-synced, lost shops flagged."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ops.services.maintenance import shops_maintain
from shopee.client import get_client
from shopee.errors import ShopeeAuthError
from shops.models import Shop, ShopToken
from shops.services.connect import shop_info_update
from tests.factories import ShopTokenFactory, VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

REFRESH = "/api/v2/auth/access_token/get"


def test_tokens_near_expiry_are_refreshed_and_every_shop_synced(sandbox):
    soon = ShopTokenFactory(access_token_expires_at=timezone.now() + dt.timedelta(minutes=30))
    later = ShopTokenFactory()
    VoucherFactory(shop=soon.shop)
    VoucherFactory(shop=later.shop)
    sandbox.mirror()
    Voucher.objects.all().delete()

    report = shops_maintain(refresh_within=dt.timedelta(hours=1))

    assert report.refreshed == [soon.shop]
    assert set(report.synced) == {soon.shop, later.shop}
    assert not report.failed
    assert ShopToken.objects.get(pk=soon.pk).generation == 2
    assert ShopToken.objects.get(pk=later.pk).generation == 1
    assert Voucher.objects.count() == 2
    assert len(sandbox.calls(REFRESH)) == 1


def test_a_banned_shop_is_flagged_and_the_others_go_on(sandbox):
    banned = ShopTokenFactory(access_token_expires_at=timezone.now())
    fine = ShopTokenFactory()
    sandbox.mirror()
    sandbox.control.update_shop(banned.shop.shop_id, status="BANNED")

    with pytest.raises(CommandError, match="problem"):
        call_command("maintain_shops")

    banned_shop = Shop.objects.get(pk=banned.shop.pk)
    assert banned_shop.needs_reauth
    assert "banned" in banned_shop.needs_reauth_reason.lower()
    assert Shop.objects.get(pk=fine.shop.pk).vouchers_synced_at is not None


def test_shop_info_keeps_name_region_and_authorization_end(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    sandbox.control.update_shop(token.shop.shop_id, name="Renamed at Shopee", region="MY")
    shop = shop_info_update(shop=token.shop, client=get_client())
    assert (shop.name, shop.region) == ("Renamed at Shopee", "MY")
    assert shop.authorization_expires_at > timezone.now() + dt.timedelta(days=300)


def test_an_ended_authorization_flags_the_shop(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    sandbox.control.update_shop(token.shop.shop_id, auth_expire_time=sandbox.control.now() - 1)
    with pytest.raises(ShopeeAuthError):
        shop_info_update(shop=token.shop, client=get_client())
    shop = Shop.objects.get(pk=token.shop.pk)
    assert shop.needs_reauth
    assert "authorization" in shop.needs_reauth_reason
