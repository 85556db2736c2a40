"""Common parameters, signature and token checks shared by every Shopee-side API.

:func:`authenticate_shop` and :func:`authenticate_partner` apply Shopee's rules in this order,
the first failure winning:

1. ``partner_id``: missing -> ``error_param`` "There is no partner_id in query."; not an integer
   or unknown -> ``error_param`` "Invalid partner_id.";
2. ``timestamp``: missing -> "There is no timestamp in query."; not an integer or more than
   300 s ahead of sandbox time -> "Invalid timestamp"; more than 300 s old ->
   "Timestamp is expired.";
3. ``sign`` missing -> "There is no sign in query.";
4. shop APIs only: ``access_token`` missing -> "There is no access_token in query.";
   ``shop_id`` missing -> "There is no shop_id in query.", not an integer -> "Invalid shop_id.";
5. signature (public or shop base string, constant-time) -> ``error_sign`` "Wrong sign.";
6. shop APIs only: shop unknown or not the partner's -> ``error_auth``
   "Invalid partner_id or shopid."; then :func:`check_shop_standing` (banned -> ``shop_banned``
   "The shop is banned."; authorization cancelled -> ``error_auth`` "The shop's authorization
   to the partner was cancelled."; authorization expired -> ``error_auth`` "The shop's
   authorization to the partner has expired."; all our wording); token unknown, expired or
   another shop's -> ``error_auth`` "Invalid access_token.".

An empty value counts as missing. Callers hold the state lock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sandbox import wire
from sandbox.accounts import Merchant
from sandbox.documents import Shop
from sandbox.signing import sign_matches, signature
from sandbox.state import SandboxState

TIMESTAMP_WINDOW = 300
_INT = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class ShopCaller:
    """An authenticated shop API caller."""

    partner_id: int
    shop_id: int
    access_token: str


MAX_DIGITS = 40  # far beyond int64; Python's int() refuses more than 4,300 digits anyway


def parse_int(value: Any) -> int | None:
    """A query value or JSON value as an integer; None if it is not one (or absurdly long)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value) <= MAX_DIGITS and _INT.fullmatch(value):
        return int(value)
    return None


def _required(query: dict[str, str], name: str) -> str:
    value = query.get(name, "")
    if not value:
        raise wire.param_error(wire.missing_in_query(name))
    return value


def authenticate_partner(state: SandboxState, query: dict[str, str], *, path: str) -> int:
    """Steps 1-3 and 5 for a public API signed over ``path``; return the partner_id."""
    partner_id = _check_partner_and_timestamp(state, query)
    _check_sign(state, query, path=path, given=_required(query, "sign"))
    return partner_id


def authenticate_shop(state: SandboxState, req: wire.Request) -> ShopCaller:
    """All steps for a shop API request (see the module docstring)."""
    query = req.query
    partner_id = _check_partner_and_timestamp(state, query)
    given_sign = _required(query, "sign")
    access_token = _required(query, "access_token")
    shop_id = parse_int(_required(query, "shop_id"))
    if shop_id is None:
        raise wire.param_error(wire.INVALID_SHOP_ID)
    _check_sign(state, query, path=req.path, given=given_sign, shop=True)
    known = state.shops.get(shop_id)
    if known is None or known.partner_id != partner_id:
        raise wire.auth_error(wire.INVALID_PARTNER_OR_SHOP)
    check_shop_standing(state, known)
    if not state.access_token_valid(access_token, shop_id=shop_id):
        raise wire.auth_error(wire.INVALID_ACCESS_TOKEN)
    return ShopCaller(partner_id=partner_id, shop_id=shop_id, access_token=access_token)


def check_shop_standing(state: SandboxState, shop: Shop) -> None:
    """Refuse a banned shop (``shop_banned``), then a cancelled authorization, then an expired
    one (both ``error_auth``).

    Used by every shop API and by ``/api/v2/auth/access_token/get``. A ``FROZEN`` shop passes.
    """
    if shop.status == "BANNED":
        raise wire.ShopeeError("shop_banned", wire.SHOP_BANNED)
    if shop.auth_cancelled:
        raise wire.auth_error(wire.AUTHORIZATION_CANCELLED)
    if state.authorization_expired(shop):
        raise wire.auth_error(wire.AUTHORIZATION_EXPIRED)


def check_merchant_standing(state: SandboxState, merchant: Merchant) -> None:
    """A merchant's refresh: cancelled, then expired authorization -> ``error_auth``."""
    if merchant.auth_cancelled:
        raise wire.auth_error(wire.MERCHANT_AUTHORIZATION_CANCELLED)
    if state.authorization_expired(merchant):
        raise wire.auth_error(wire.MERCHANT_AUTHORIZATION_EXPIRED)


def _check_partner_and_timestamp(state: SandboxState, query: dict[str, str]) -> int:
    partner_id = parse_int(_required(query, "partner_id"))
    if partner_id is None or partner_id not in state.partners:
        raise wire.param_error(wire.INVALID_PARTNER_ID)
    timestamp = parse_int(_required(query, "timestamp"))
    now = state.now()
    if timestamp is None or timestamp - now > TIMESTAMP_WINDOW:
        raise wire.param_error(wire.INVALID_TIMESTAMP)
    if now - timestamp > TIMESTAMP_WINDOW:
        raise wire.param_error(wire.TIMESTAMP_EXPIRED)
    return partner_id


def _check_sign(
    state: SandboxState, query: dict[str, str], *, path: str, given: str, shop: bool = False
) -> None:
    """Recompute the sign over the query values exactly as sent; mismatch -> error_sign."""
    expected = signature(
        partner_key=state.partners[int(query["partner_id"])],
        partner_id=query["partner_id"],
        path=path,
        timestamp=query["timestamp"],
        access_token=query["access_token"] if shop else None,
        shop_id=query["shop_id"] if shop else None,
    )
    if not sign_matches(expected, given):
        raise wire.ShopeeError("error_sign", wire.WRONG_SIGN)


def json_body(req: wire.Request) -> dict[str, Any]:
    """The POST body as a JSON object, else ``error_param`` with a clear message."""
    try:
        body = json.loads(req.raw_body or b"")
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise wire.param_error(f"Invalid request body: malformed JSON ({reason}).") from None
    if not isinstance(body, dict):
        raise wire.param_error("Invalid request body: expected a JSON object.")
    return body


def int_field(source: dict[str, Any], name: str, *, where: str) -> int:
    """An integer ``name`` from the body (``where="body"``) or query (``where="query"``).

    JSON bodies need a JSON integer; query values need decimal digits. Missing ->
    "There is no <name> in <where>."; anything else -> "Invalid <name>: expected an integer."
    """
    value = source.get(name)
    if value is None or value == "":
        raise wire.param_error(f"There is no {name} in {where}.")
    json_string = where == "body" and isinstance(value, str)
    number = None if json_string else parse_int(value)
    if number is None:
        raise wire.param_error(f"Invalid {name}: expected an integer, got {value!r}.")
    return number


def page_param(
    query: dict[str, str], name: str, *, low: int, high: int | None, default: int
) -> int:
    """An optional paging integer from the query; outside [low, high] -> ``error_param``.

    Messages (ours): "Invalid page_size: must be between 1 and 100." or, without an upper
    bound, "Invalid page_no: must be at least 1.".
    """
    if query.get(name, "") == "":
        return default
    value = int_field(query, name, where="query")
    if high is None and value < low:
        raise wire.param_error(f"Invalid {name}: must be at least {low}.")
    if high is not None and not low <= value <= high:
        raise wire.param_error(f"Invalid {name}: must be between {low} and {high}.")
    return value


def one_id_of(
    source: dict[str, Any], names: tuple[str, str], *, where: str = "body"
) -> tuple[str, int]:
    """Exactly one of two integer ids, from the body or the query: (its name, its value).

    Neither -> ``error_param`` "There is no shop_id or main_account_id in body."; both ->
    "Give exactly one of shop_id and main_account_id, not both." (ours, with the names asked
    for); a null or "" value counts as absent; a non-integer as :func:`int_field` says.
    """
    given = [name for name in names if source.get(name) not in (None, "")]
    first, second = names
    if not given:
        raise wire.param_error(f"There is no {first} or {second} in {where}.")
    if len(given) == 2:
        raise wire.param_error(f"Give exactly one of {first} and {second}, not both.")
    return given[0], int_field(source, given[0], where=where)
