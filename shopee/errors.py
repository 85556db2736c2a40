"""Typed errors of the Shopee client.

Every failure of a Shopee call is raised as a `ShopeeError` subclass that keeps what an operator
needs (HTTP status, Shopee's `error`, `message` and `request_id`, an excerpt of a non-JSON body)
and nothing secret: texts are scrubbed of tokens, signs and the partner key before they get here.
The subclass says how to handle it (shopee-api.md section 6).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


# Failures in plain words -------------------------------------------------------------------------
# What went wrong, as staff would say it. The technical detail (error, HTTP status, message,
# request_id) stays one click away on the pages; these sentences come first.

# Codes shopadmin records when Shopee gave none (runs/services: outcomes, fresh).
NO_ANSWER = "no_answer"
SHOP_UNAVAILABLE = "shop_unavailable"
READ_FAILED = "read_failed"

# What happened, in the terms staff act on.
CAUSE_REFUSED = "refused"  # Shopee understood and refused: its message says why
CAUSE_AUTHORIZATION = "authorization"  # the shop's authorization has ended or was refused
CAUSE_NOT_CONNECTED = "not_connected"  # shopadmin holds no token for the shop
CAUSE_CONFIGURATION = "configuration"  # shopadmin's partner id, key, host or clock
CAUSE_RATE_LIMIT = "rate_limit"  # Shopee asked us to slow down, every time we tried
CAUSE_TIMEOUT = "timeout"  # Shopee did not answer within our timeout
CAUSE_UNREACHABLE = "unreachable"  # the connection failed before any answer
CAUSE_SERVER = "server"  # Shopee answered with a failure of its own (5xx, not JSON, error_server)
CAUSE_READ = "read"  # the shop's current vouchers could not be read, so nothing was sent
CAUSE_OTHER = "other"  # anything else: our own words (e.g. "The voucher record was deleted.")

# Texts of the client's own failures (shopee/client.py) that tell a timeout from a lost
# connection; the tests drive both through the sandbox, so a changed text fails them.
_TIMEOUT_MARK = "(timeout)"
_UNREACHABLE_MARKS = ("connection to shopee failed", "request to shopee failed")
_NOT_CONNECTED_MARK = "has no access token"  # shops/services/shops.py
_REAUTHORIZE_MARK = "needs re-authorization"
_READ_FAILED_MARK = "shopee's current vouchers of this shop"  # runs/services/fresh.py
_ERROR_TEXT = re.compile(r"^([a-z][a-z0-9_.]*): ")  # str(ShopeeError) starts with its error
_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def failure_cause(
    *, error: str, message: str = "", http_status: int | None = None, refused: bool = False
) -> str:
    """What a failed or refused call (or run item) means, one of the CAUSE_* values, from
    Shopee's `error`, the `message` recorded with it and the HTTP status when known (else read
    from the message, e.g. "Shopee answered HTTP 502 ...")."""
    lowered = message.lower()
    if http_status is None and (found := _HTTP_STATUS.search(message)):
        http_status = int(found.group(1))
    if error == READ_FAILED or lowered.startswith(_READ_FAILED_MARK):
        return CAUSE_READ
    if _NOT_CONNECTED_MARK in lowered:
        return CAUSE_NOT_CONNECTED
    if error == SHOP_UNAVAILABLE or _REAUTHORIZE_MARK in lowered:
        return CAUSE_AUTHORIZATION
    if error and error != NO_ANSWER:
        kind = classify(error, http_status)
    elif http_status == 429 or (http_status or 0) >= 500:
        kind = classify("", http_status)
    else:
        kind = None
    if kind == AUTHORIZATION:
        return CAUSE_AUTHORIZATION
    if kind == CONFIGURATION:
        return CAUSE_CONFIGURATION
    if kind == RATE_LIMIT:
        return CAUSE_RATE_LIMIT
    if refused or kind == BUSINESS:
        return CAUSE_REFUSED
    if _TIMEOUT_MARK in lowered:
        return CAUSE_TIMEOUT
    if any(mark in lowered for mark in _UNREACHABLE_MARKS):
        return CAUSE_UNREACHABLE
    if kind == TRANSIENT or error == NO_ANSWER:
        return CAUSE_SERVER
    return CAUSE_OTHER


def failure_in_words(
    *,
    error: str,
    message: str = "",
    attempts: int = 0,
    http_status: int | None = None,
    refused: bool = False,
    shopee_message: str = "",
) -> str:
    """The plain sentence staff read first about a failed or refused call or run item:
    "Shopee's server failed; tried 8 times", "Shopee refused: <Shopee's message>". `message`
    is what was recorded (for a run item, its reason); `shopee_message` is Shopee's own message
    when known apart from it (the call log's), else the refusal quotes `message`. Translated."""
    cause = failure_cause(error=error, message=message, http_status=http_status, refused=refused)
    if cause == CAUSE_READ:
        why = failure_text_in_words(message.partition("(")[2].rpartition(")")[0])
        return _(
            "Shopee's current vouchers of the shop could not be read, so nothing was sent: %(why)s"
        ) % {"why": why}
    if cause == CAUSE_REFUSED:
        said = (shopee_message or _without_prefix(message)).strip()
        if said:
            return _("Shopee refused: %(message)s") % {"message": said}
        return _("Shopee refused it without saying why.")
    fixed = {
        CAUSE_AUTHORIZATION: _("The shop's authorization has ended: re-authorize it."),
        CAUSE_NOT_CONNECTED: _("The shop is not connected to shopadmin: connect it first."),
        CAUSE_CONFIGURATION: _(
            "Shopee refused shopadmin's settings (partner id, key or clock): an administrator "
            "must fix them."
        ),
    }
    if cause in fixed:
        return fixed[cause]
    if cause == CAUSE_OTHER:
        return _without_prefix(message) or _("It failed for a reason Shopee did not give.")
    what = {
        CAUSE_RATE_LIMIT: _("Shopee asked us to slow down"),
        CAUSE_TIMEOUT: _("Shopee did not answer in time"),
        CAUSE_UNREACHABLE: _("Shopee could not be reached"),
        CAUSE_SERVER: _("Shopee's server failed"),
    }[cause]
    if attempts <= 0:
        return f"{what}."
    tried = ngettext("tried once", "tried %(n)d times", attempts) % {"n": attempts}
    return _("%(what)s; %(tried)s.") % {"what": what, "tried": tried}


def failure_text_in_words(text: str) -> str:
    """`failure_in_words` for a failure kept only as text, `str(ShopeeError)` ("error_server:
    Internal error | HTTP 500 | request_id ..."), e.g. a run's report of a shop not read."""
    found = _ERROR_TEXT.match(text)
    error = found.group(1) if found else ""
    message = text[found.end() :] if found else text
    return failure_in_words(error=error, message=message.split(" | ")[0], http_status=_status(text))


def _status(text: str) -> int | None:
    found = _HTTP_STATUS.search(text)
    return int(found.group(1)) if found else None


def _without_prefix(message: str) -> str:
    """The recorded message without shopadmin's "Gave up after N attempts: " in front."""
    return _GAVE_UP.sub("", message, count=1).strip()


_GAVE_UP = re.compile(r"^Gave up after \d+ attempts?: ")
