"""Shop API calls with the shop's token kept alive."""

from vouchers.models import Shop
from vouchers.services.audit import shopee_call
from vouchers.services.shops import shop_mark_needs_reauth
from vouchers.services.tokens import SHOP_GONE_ERRORS, shop_credentials, shop_token_refresh
from vouchers.shopee.api import ApiCall
from vouchers.shopee.client import ShopAuth, ShopeeClient, ShopeeResult
from vouchers.shopee.errors import ShopeeAuthError

INVALID_TOKEN_ERRORS = frozenset({"invalid_acceess_token", "invalid_access_token"})


def token_rejected(error: ShopeeAuthError) -> bool:
    """Shopee's two ways of saying the access token is invalid or expired."""
    if error.error in INVALID_TOKEN_ERRORS:
        return True
    return error.error == "error_auth" and "access_token" in error.message.lower()


def authorization_ended(error: ShopeeAuthError) -> bool:
    """The shop is gone for us (banned, unlinked, its authorization over): only the seller can
    mend it, by authorizing again."""
    if error.error in SHOP_GONE_ERRORS:
        return True
    return error.error == "error_auth" and "authoriz" in error.message.lower()


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
        if authorization_ended(error):
            shop_mark_needs_reauth(shop=shop, reason=f"{error.error}: {error.message}")
        if not token_rejected(error):
            raise
    token = shop_token_refresh(
        shop=shop,
        client=client,
        seen_generation=credentials.generation,
        actor=actor,
        actor_label=actor_label,
    )
    return shopee_call(
        client=client,
        api=api,
        shop_auth=ShopAuth(shop.shop_id, token.access_token),
        batch_id=batch_id,
        attempt=attempt + 1,
        **audit,
    )
