"""Shops and their tokens."""

from django.db import transaction

from vouchers.models import Shop, ShopToken
from vouchers.shopee.client import ShopAuth


class ShopNotConnected(Exception):
    """The shop has no access token yet, so no call can be made for it."""

    def __init__(self, shop: Shop):
        super().__init__(
            f"Shop {shop.name} ({shop.shop_id}) has no access token: "
            "paste its tokens on the shop's page first."
        )
        self.shop = shop


def shop_auth(*, shop: Shop) -> ShopAuth:
    """What a shop API call needs; raises ShopNotConnected when the shop has no token."""
    token = ShopToken.objects.filter(shop=shop).first()
    if token is None or not token.access_token:
        raise ShopNotConnected(shop)
    return ShopAuth(shop_id=shop.shop_id, access_token=token.access_token)


@transaction.atomic
def shop_tokens_set(
    *,
    shop: Shop,
    access_token: str,
    refresh_token: str = "",
    access_token_expires_at=None,
    refresh_token_expires_at=None,
) -> ShopToken:
    """Store new tokens for `shop`, replacing the old ones."""
    token, _ = ShopToken.objects.select_for_update().get_or_create(
        shop=shop, defaults={"access_token": access_token}
    )
    token.access_token = access_token
    token.access_token_expires_at = access_token_expires_at
    if refresh_token:
        token.refresh_token = refresh_token
        token.refresh_token_expires_at = refresh_token_expires_at
    token.save()
    return token
