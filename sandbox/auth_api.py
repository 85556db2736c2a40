"""Token APIs (public APIs: partner_id, timestamp, sign; no shop token). The authorization page
and its buttons are :mod:`sandbox.auth_page` (its paths are re-exported here).

Both answer at the TOP LEVEL (no ``response``): ``request_id``, ``error``, ``message`` and, on
success, ``access_token``, ``refresh_token``, ``expire_in`` 14400. Body checks, in order: the
secret (``code`` / ``refresh_token``: missing -> "There is no code in body.", not a string ->
"Invalid code: expected a string."), ``partner_id`` (must be the query's: ``error_param``
"Invalid partner_id."), then EXACTLY ONE of two ids (neither -> ``error_param`` "There is no
shop_id or main_account_id in body.", both -> "Give exactly one of shop_id and main_account_id,
not both.", ours; a non-integer id -> "Invalid shop_id: expected an integer, got '1'.").

``POST /api/v2/auth/token/get`` ``{"code", "partner_id", "shop_id" | "main_account_id"}``:

* ``shop_id``: a shop that is not the partner's -> ``error_auth`` "Invalid partner_id or
  shopid."; the code must have been issued for that shop (else, or used, or older than 10
  minutes: ``error_auth`` "Invalid code"). Fresh tokens for the shop; its older tokens stay valid
  until their own expiry.
* ``main_account_id``: unknown or another partner's -> ``invalid_main_acount_id`` (Shopee's
  spelling) "The code or main_accoount_id is wrong, please check the code or the
  main_account_id." (Shopee's message); a code not issued for that main account, used or expired
  -> ``error_auth`` "Invalid code". ONE fresh pair is granted to every shop and every merchant of
  the account; the answer adds ``shop_id_list`` and ``merchant_id_list`` (ascending),
  ``supplier_id_list: []`` and ``user_id_list: []``.
* Either way every shop (and merchant) granted has its authorization renewed: ``auth_time`` now,
  ``auth_expire_time`` now + 365 days, ``auth_cancelled`` false (whatever the shop's status, even
  when the authorization had expired or was cancelled).

``POST /api/v2/auth/access_token/get`` ``{"refresh_token", "partner_id", "shop_id" |
"merchant_id"}`` (exactly one: "There is no shop_id or merchant_id in body." / "Give exactly one
of shop_id and merchant_id, not both."):

* rotates both tokens of that shop (or merchant) and answers them with ``partner_id`` and
  ``shop_id`` (or ``merchant_id``). A refresh token works once PER HOLDER: the shared refresh
  token of a main account's grant can be spent once by each of its shops and merchants, each
  getting its own independent pair. Unknown, spent, expired (30 days) or another holder's ->
  ``error_auth`` "Invalid refresh_token." (ours). The holder's older access tokens (the shared
  one included, for that holder only) stay valid 5 more minutes.
* shop: not the partner's -> ``error_auth`` "Invalid partner_id or shopid."; then, before the
  refresh token is looked at (it stays usable), :func:`sandbox.common.check_shop_standing`:
  banned (``shop_banned``), cancelled or expired authorization (``error_auth``).
* merchant: unknown or another partner's -> ``error_auth`` "Invalid partner_id or merchant_id."
  (ours); cancelled or expired authorization -> ``error_auth`` (ours, "The merchant's
  authorization to the partner was cancelled." / "... has expired.").

Callers hold the state lock.
"""

from __future__ import annotations

from typing import Any

from sandbox import wire
from sandbox.accounts import Merchant
from sandbox.auth_page import AUTH_PARTNER_PATH, AUTHORIZE_PATH, main_account_of_partner
from sandbox.common import (
    authenticate_partner,
    check_merchant_standing,
    check_shop_standing,
    int_field,
    json_body,
    one_id_of,
)
from sandbox.documents import Shop, new_token
from sandbox.state import ACCESS_TOKEN_TTL, SandboxState

__all__ = ["AUTHORIZE_PATH", "AUTH_PARTNER_PATH", "access_token_get", "token_get"]


def _token_body(
    state: SandboxState, req: wire.Request, secret: str
) -> tuple[int, dict[str, Any], str]:
    """Authenticate and read ``secret`` and ``partner_id``: (partner_id, body, secret)."""
    partner_id = authenticate_partner(state, req.query, path=req.path)
    body = json_body(req)
    value = body.get(secret)
    if value is None or value == "":
        raise wire.param_error(f"There is no {secret} in body.")
    if not isinstance(value, str):
        raise wire.param_error(f"Invalid {secret}: expected a string.")
    if int_field(body, "partner_id", where="body") != partner_id:
        raise wire.param_error(wire.INVALID_PARTNER_ID)
    return partner_id, body, value


def _partner_shop(state: SandboxState, shop_id: int, partner_id: int) -> Shop:
    shop = state.shops.get(shop_id)
    if shop is None or shop.partner_id != partner_id:
        raise wire.auth_error(wire.INVALID_PARTNER_OR_SHOP)
    return shop


def _tokens_answer(holder: Shop | Merchant, extra: dict[str, Any] | None = None) -> wire.Answer:
    fields = {
        "access_token": holder.access_token,
        "refresh_token": holder.refresh_token,
        "expire_in": ACCESS_TOKEN_TTL,
    }
    return wire.Answer.json(wire.envelope() | (extra or {}) | fields)


def token_get(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/auth/token/get``: spend a code, issue fresh tokens (see the module doc)."""
    partner_id, body, code = _token_body(state, req, "code")
    which, owner_id = one_id_of(body, ("shop_id", "main_account_id"))
    if which == "shop_id":
        shop = _partner_shop(state, owner_id, partner_id)
        if not state.use_code(code, partner_id=partner_id, shop_id=owner_id):
            raise wire.auth_error(wire.INVALID_CODE)
        state.renew_authorization(shop)
        return _tokens_answer(state.issue_tokens(owner_id))
    account = main_account_of_partner(state, owner_id, partner_id)
    if not state.use_code(code, partner_id=partner_id, main_account_id=owner_id):
        raise wire.auth_error(wire.INVALID_CODE)
    access_token, refresh_token = new_token(), new_token()
    holders: list[Shop | Merchant] = [state.shops[i] for i in account.shop_ids]
    holders += [state.merchants[i] for i in account.merchant_ids]
    for holder in holders:
        state.renew_authorization(holder)
        state.give_tokens(holder, access_token, refresh_token)
    fields = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "expire_in": ACCESS_TOKEN_TTL,
        "shop_id_list": list(account.shop_ids),
        "merchant_id_list": list(account.merchant_ids),
        "supplier_id_list": [],
        "user_id_list": [],
    }
    return wire.Answer.json(wire.envelope() | fields)


def access_token_get(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/auth/access_token/get``: spend a refresh token, rotate both tokens."""
    partner_id, body, refresh_token = _token_body(state, req, "refresh_token")
    which, owner_id = one_id_of(body, ("shop_id", "merchant_id"))
    holder: Shop | Merchant
    if which == "shop_id":
        holder = _partner_shop(state, owner_id, partner_id)
        check_shop_standing(state, holder)
    else:
        merchant = state.merchants.get(owner_id)
        if merchant is None or merchant.partner_id != partner_id:
            raise wire.auth_error(wire.INVALID_PARTNER_OR_MERCHANT)
        check_merchant_standing(state, merchant)
        holder = merchant
    if not state.refresh(refresh_token, partner_id=partner_id, holder=holder):
        raise wire.auth_error(wire.INVALID_REFRESH_TOKEN)
    return _tokens_answer(holder, {"partner_id": partner_id, which: owner_id})
