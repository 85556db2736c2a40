"""Connecting a shop: Shopee's authorization link, and exchanging the code it returns."""

import datetime as dt
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from vouchers.models import Shop
from vouchers.services.audit import shopee_call
from vouchers.services.shop_api import shop_call
from vouchers.services.shops import shop_mark_needs_reauth, shop_tokens_set
from vouchers.shopee import api
from vouchers.shopee.client import ShopeeClient
from vouchers.shopee.errors import ShopeeTransientError


def shop_authorization_url(*, client: ShopeeClient, redirect_url: str) -> str:
    """Shopee's signed authorization link (valid 5 minutes) that returns to `redirect_url`."""
    prepared = client.prepare(
        api.ApiCall("GET", api.AUTH_PARTNER, query={"redirect": redirect_url})
    )
    return f"{prepared.url}?{urlencode(prepared.params)}"


def shop_connect(*, client: ShopeeClient, code: str, shop_id: int, actor) -> Shop:
    """Exchange an authorization code for the shop's tokens; create or update the shop.

    The code is single-use and lives 10 minutes. The exchange is audited; the shop and its
    tokens are saved in one short transaction after Shopee answered.
    """
    existing = Shop.objects.filter(shop_id=shop_id).first()
    answer = shopee_call(
        client=client,
        api=api.token_get(code=code, partner_id=client.config.partner_id, shop_id=shop_id),
        actor=actor,
        shop=existing,
    )
    body = answer.body
    if not body.get("access_token") or not body.get("refresh_token"):
        raise ShopeeTransientError(
            "Shopee's answer to the code exchange had no tokens.", request_id=answer.request_id
        )
    now = timezone.now()
    with transaction.atomic():
        shop, _ = Shop.objects.get_or_create(shop_id=shop_id, defaults={"name": f"Shop {shop_id}"})
        shop_tokens_set(
            shop=shop,
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            access_token_expires_at=now + dt.timedelta(seconds=int(body.get("expire_in") or 14400)),
        )
    return shop


def shop_info_update(
    *, shop: Shop, client: ShopeeClient, actor=None, actor_label: str = ""
) -> Shop:
    """Refresh the shop's name, region and authorization end from Shopee (get_shop_info).

    A banned shop, or one whose authorization has ended, is marked for re-authorization.
    """
    answer = shop_call(
        client=client,
        shop=shop,
        api=api.get_shop_info(),
        actor=actor,
        actor_label=actor_label,
    )
    body = answer.body
    fields = {}
    if body.get("shop_name"):
        fields["name"] = str(body["shop_name"])[:200]
    if body.get("region"):
        fields["region"] = str(body["region"])[:8]
    if body.get("expire_time"):
        fields["authorization_expires_at"] = dt.datetime.fromtimestamp(
            int(body["expire_time"]), tz=dt.UTC
        )
    Shop.objects.filter(pk=shop.pk).update(**fields)
    shop.refresh_from_db()
    status = str(body.get("status") or "NORMAL").upper()
    if status != "NORMAL":
        shop_mark_needs_reauth(shop=shop, reason=f"Shopee reports the shop as {status}")
    elif shop.authorization_expires_at and shop.authorization_expires_at <= timezone.now():
        shop_mark_needs_reauth(shop=shop, reason="the seller's authorization has ended")
    return shop
