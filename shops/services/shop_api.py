"""Shop API calls with the shop's token kept alive."""

from audit.services.calls import shopee_call
from shopee.api import ApiCall
from shopee.client import ShopAuth, ShopeeClient, ShopeeResult
from shopee.errors import (
    INVALID_TOKEN_ERRORS,
    ShopeeAuthError,
    authorization_ended,
    token_rejected,
)
from shops.models import Shop
from shops.services.tokens import shop_auth_failed, shop_credentials, shop_token_refresh

# Kept for callers that read them here; the meaning of Shopee's codes lives in shopee/errors.py.
__all__ = [
    "INVALID_TOKEN_ERRORS",
    "authorization_ended",
    "shop_call",
    "shop_token_refresh",
    "token_rejected",
]


def shop_call(
    *,
    client: ShopeeClient,
    shop: Shop,
    api: ApiCall,
    actor=None,
    actor_label: str = "",
    voucher=None,
    batch_id=None,
    attempt: int = 1,
) -> ShopeeResult:
    """Call a shop API. The token is refreshed first when near expiry; when Shopee answers that
    it is invalid, it is refreshed once and the call retried once (each attempt is audited).

    Raises ShopUnavailable (no call possible) or the ShopeeError of the last attempt.
    """
    audit = {"actor": actor, "actor_label": actor_label, "shop": shop, "voucher": voucher}
    credentials = shop_credentials(shop=shop, client=client, actor=actor, actor_label=actor_label)
    try:
        return shopee_call(
            client=client,
            api=api,
            shop_auth=credentials.auth,
            batch_id=batch_id,
            attempt=attempt,
            **audit,
        )
    except ShopeeAuthError as error:
        down = shop_auth_failed(
            shop=shop,
            error=error,
            generation=credentials.generation,
            client=client,
            actor=actor,
            actor_label=actor_label,
        )
        if down is error:
            raise
        if down is not None:
            raise down from error
    credentials = shop_credentials(shop=shop, client=client, actor=actor, actor_label=actor_label)
    return shopee_call(
        client=client,
        api=api,
        shop_auth=ShopAuth(shop.shop_id, credentials.auth.access_token),
        batch_id=batch_id,
        attempt=attempt + 1,
        **audit,
    )
