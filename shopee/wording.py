"""Failures in plain words: what went wrong with a Shopee call (or a run item), as staff would
say it ("Shopee's server failed; tried 8 times", "Shopee refused: <Shopee's message>"). The
meaning comes from the classification in `shopee.errors`; the technical detail (error, HTTP
status, message, request_id) stays one click away on the pages, after these sentences.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shopee.errors import (
    AUTHORIZATION,
    BUSINESS,
    CONFIGURATION,
    RATE_LIMIT,
    TRANSIENT,
    classify,
)

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
_READ_FAILED_MARK = re.compile(r"^shopee's current .+ of this shop could not be read")  # fresh.py
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
    if error == READ_FAILED or _READ_FAILED_MARK.match(lowered):
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
