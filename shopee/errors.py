"""Typed errors of the Shopee client.

Every failure of a Shopee call is raised as a `ShopeeError` subclass that keeps what an operator
needs (HTTP status, Shopee's `error`, `message` and `request_id`, an excerpt of a non-JSON body)
and nothing secret: texts are scrubbed of tokens, signs and the partner key before they get here.
The subclass says how to handle it (shopee-api.md section 6).
"""

CONFIGURATION = "configuration"
AUTHORIZATION = "authorization"
RATE_LIMIT = "rate_limit"
TRANSIENT = "transient"
BUSINESS = "business"

_AUTH_ERRORS = {
    "error_auth",
    "invalid_acceess_token",
    "invalid_access_token",
    "error_permission",
    "shop_banned",
    "shop_no_linked",
    "partner_shop_no_link",
    "invalid_code",
    "invalid_main_acount_id",  # Shopee's spelling
    # Refusals of a refresh that name the shop's (or merchant's) state.
    "shop_access_expired",
    "refresh_token_expired",
    "error_shop_refresh_token",
    "merchant_access_expired",
    "merchant_no_linked",
    "merchant_banned",
    "error_merchant_refresh_token",
}
_CONFIG_ERRORS = {"error_sign", "error_param", "error_partner"}
_RATE_LIMIT_ERRORS = {"error_rate_limit", "error_limit"}
_TRANSIENT_ERRORS = {"error_server", "error_network", "common.error_server", "error_busi_busy"}


# What a caller does about a failed call: the consequence of each error (shopee-api.md section 6).
RETRY = "retry"  # no usable answer, or Shopee failed: send again after a backoff
BACK_OFF = "back_off"  # too many requests: cool the shop down, then send again
REFRESH = "refresh"  # the access token was rejected: refresh it once, then send again
REAUTHORIZE = "reauthorize"  # the shop is gone for us: flag it; only the seller can mend it
SHOP_REFUSED = "shop_refused"  # another refusal of the shop's authorization: no call for it now
REFUSE = "refuse"  # Shopee understood and refused: final, never sent again
STOP = "stop"  # our configuration is wrong: every further call would fail the same way

INVALID_TOKEN_ERRORS = frozenset({"invalid_acceess_token", "invalid_access_token"})
SHOP_GONE_ERRORS = frozenset({"shop_banned", "shop_no_linked", "partner_shop_no_link"})


def token_rejected(error: "ShopeeError") -> bool:
    """Shopee's two ways of saying the access token is invalid or expired."""
    if error.error in INVALID_TOKEN_ERRORS:
        return True
    return error.error == "error_auth" and "access_token" in error.message.lower()


def authorization_ended(error: "ShopeeError") -> bool:
    """The shop is gone for us (banned, unlinked, its authorization over): only the seller can
    mend it, by authorizing again."""
    if error.error in SHOP_GONE_ERRORS:
        return True
    return error.error == "error_auth" and "authoriz" in error.message.lower()


def refresh_impossible(error: "ShopeeError") -> bool:
    """Whether only the seller can mend this refresh failure (by authorizing again)."""
    if error.error in SHOP_GONE_ERRORS or error.kind == AUTHORIZATION:
        return True
    return error.error == "error_param" and "refresh" in error.message.lower()


def consequence(error: "ShopeeError") -> str:
    """What to do about `error`: one of RETRY, BACK_OFF, REFRESH, REAUTHORIZE, SHOP_REFUSED,
    REFUSE, STOP. The one place that reads meaning into Shopee's error codes."""
    if error.kind == AUTHORIZATION:
        if token_rejected(error):
            return REFRESH
        return REAUTHORIZE if authorization_ended(error) else SHOP_REFUSED
    return {
        CONFIGURATION: STOP,
        RATE_LIMIT: BACK_OFF,
        TRANSIENT: RETRY,
    }.get(error.kind, REFUSE)


def shopee_down(error: "ShopeeError") -> bool:
    """A failure that says Shopee (or the way to it) is down, not that it refused: no answer,
    or a Shopee-side failure other than a 4xx. When every call fails so, wait for Shopee."""
    status = error.http_status
    return error.kind == TRANSIENT and not (status is not None and 400 <= status < 500)


# Shopee's common error codes, as the call log's filter offers them (each promotion kind adds
# its own: services.kinds).
COMMON_ERRORS = (
    "error_auth",
    "invalid_acceess_token",
    "error_param",
    "error_sign",
    "error_rate_limit",
    "error_limit",
    "error_server",
    "error_network",
    "common.error_server",
    "common.error_not_found",
    "common.error_shop",
)


def classify(error: str, http_status: int | None = None) -> str:
    """Map Shopee's `error` (and the HTTP status) to how a caller should react."""
    if error in _RATE_LIMIT_ERRORS or http_status == 429:
        return RATE_LIMIT
    if error in _TRANSIENT_ERRORS:
        return TRANSIENT
    if error in _AUTH_ERRORS:
        return AUTHORIZATION
    if error in _CONFIG_ERRORS:
        return CONFIGURATION
    if not error and http_status is not None and http_status >= 500:
        return TRANSIENT
    return BUSINESS


class ShopeeError(Exception):
    """A Shopee call that did not succeed."""

    kind = BUSINESS
    duration_ms: int | None = None

    def __init__(
        self,
        message: str,
        *,
        error: str = "",
        http_status: int | None = None,
        request_id: str = "",
        body_excerpt: str = "",
        response: object = None,
    ):
        super().__init__(message)
        self.message = message
        self.error = error
        self.http_status = http_status
        self.request_id = request_id
        self.body_excerpt = body_excerpt
        self.response = response

    def __str__(self):
        parts = [f"{self.error}: {self.message}" if self.error else self.message]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.request_id:
            parts.append(f"request_id {self.request_id}")
        return " | ".join(parts)


class ShopeeConfigError(ShopeeError):
    """Our side is misconfigured (partner id/key, host, clock): fix settings, don't retry."""

    kind = CONFIGURATION


class ShopeeAuthError(ShopeeError):
    """The shop's token is invalid or expired, or the shop is no longer linked."""

    kind = AUTHORIZATION


class ShopeeRateLimitError(ShopeeError):
    """Shopee asked us to slow down."""

    kind = RATE_LIMIT


class ShopeeTransientError(ShopeeError):
    """No usable answer (network, timeout, 5xx, non-JSON) or a Shopee-side failure: retryable."""

    kind = TRANSIENT


class ShopeeBusinessError(ShopeeError):
    """Shopee understood the request and refused it (e.g. the voucher is not ongoing)."""

    kind = BUSINESS


ERROR_CLASSES = {
    CONFIGURATION: ShopeeConfigError,
    AUTHORIZATION: ShopeeAuthError,
    RATE_LIMIT: ShopeeRateLimitError,
    TRANSIENT: ShopeeTransientError,
    BUSINESS: ShopeeBusinessError,
}
