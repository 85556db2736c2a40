"""Shops and their stored tokens."""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vouchers.models import Shop, ShopToken

ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=4)
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=30)


class ShopUnavailable(Exception):
    """No call can be made for this shop until staff act."""

    def __init__(self, shop: Shop, message: str):
        super().__init__(message)
        self.shop = shop


class ShopNotConnected(ShopUnavailable):
    def __init__(self, shop: Shop):
        super().__init__(
            shop,
            f"Shop {shop.name} ({shop.shop_id}) has no access token: connect it "
            "(Connect a Shopee shop) or paste its tokens on the shop's page.",
        )


class ShopNeedsReauthorization(ShopUnavailable):
    def __init__(self, shop: Shop):
        super().__init__(
            shop,
            f"Shop {shop.name} ({shop.shop_id}) needs re-authorization by the seller "
            f"({shop.needs_reauth_reason}). Reconnect it from the shop list.",
        )


@transaction.atomic
def shop_tokens_set(
    *,
    shop: Shop,
    access_token: str,
    refresh_token: str = "",
    access_token_expires_at=None,
    refresh_token_expires_at=None,
) -> ShopToken:
    """Store a new token pair for `shop` and clear any need for re-authorization."""
    now = timezone.now()
    token, created = ShopToken.objects.select_for_update().get_or_create(
        shop=shop, defaults={"access_token": access_token}
    )
    token.access_token = access_token
    token.access_token_expires_at = access_token_expires_at or now + ACCESS_TOKEN_LIFETIME
    if refresh_token:
        token.refresh_token = refresh_token
        token.refresh_token_expires_at = refresh_token_expires_at or now + REFRESH_TOKEN_LIFETIME
    if not created:
        token.generation = F("generation") + 1
    token.refresh_lease_owner = ""
    token.refresh_lease_until = None
    token.save()
    token.refresh_from_db()
    Shop.objects.filter(pk=shop.pk).update(needs_reauth_since=None, needs_reauth_reason="")
    shop.needs_reauth_since, shop.needs_reauth_reason = None, ""
    return token


def shop_mark_needs_reauth(*, shop: Shop, reason: str) -> None:
    """Flag `shop`: its vouchers are skipped and the shop list asks for reconnection."""
    now = timezone.now()
    Shop.objects.filter(pk=shop.pk, needs_reauth_since__isnull=True).update(
        needs_reauth_since=now, needs_reauth_reason=reason
    )
    shop.refresh_from_db(fields=["needs_reauth_since", "needs_reauth_reason"])
