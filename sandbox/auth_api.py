"""Authorization and token APIs (public APIs: partner_id, timestamp, sign; no shop token).

* ``GET /api/v2/shop/auth_partner?partner_id&timestamp&sign&redirect=URL`` (sign over
  ``/api/v2/shop/auth_partner``; the link dies 5 minutes after ``timestamp``): an HTML page
  listing the partner's shops, each with an "Authorize" button.
* ``GET /api/v2/shop/auth_partner/authorize?partner_id&timestamp&sign&redirect=URL&shop_id=ID``
  (sandbox-only; the same signed parameters as the page, plus the chosen shop): what the button
  submits. Answers 302 to ``URL?code=<32 hex>&shop_id=ID`` (``&`` when URL has a query already).
  A code works once, for that partner and shop, for 10 minutes. Tests may call it directly.
* ``POST /api/v2/auth/token/get`` ``{"code", "partner_id", "shop_id"}`` and
  ``POST /api/v2/auth/access_token/get`` ``{"refresh_token", "partner_id", "shop_id"}``: fields at
  the top level (``access_token``, ``refresh_token``, ``expire_in`` 14400, ``request_id``,
  ``error``, ``message``). Refused codes: ``error_auth`` "Invalid code"; refused refresh tokens
  (unknown, used, expired, another shop's): ``error_auth`` "Invalid refresh_token.". The body's
  partner_id must be the query's (``error_param`` "Invalid partner_id."); a shop that is not the
  partner's: ``error_auth`` "Invalid partner_id or shopid.".
* A code exchange renews the seller's authorization: ``auth_time`` now, ``auth_expire_time``
  now + 365 days (whatever the shop's status, and even when the authorization had expired).
* A refresh is refused, before the refresh token is looked at (it stays usable), for a banned
  shop (``shop_banned`` "The shop is banned.") and for a shop whose authorization has expired
  (``error_auth`` "The shop's authorization to the partner has expired."); both our wording.

Callers hold the state lock.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from sandbox import wire
from sandbox.common import authenticate_partner, check_shop_standing, int_field, json_body
from sandbox.documents import Shop
from sandbox.state import ACCESS_TOKEN_TTL, SandboxState

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
AUTHORIZE_PATH = "/api/v2/shop/auth_partner/authorize"

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shopee sandbox: authorize partner {partner_id}</title>
<style>body{{font-family:sans-serif;margin:2em}} li{{margin:.5em 0}}</style></head>
<body><h1>Authorize partner {partner_id}</h1>
<p>You are a seller in the Shopee sandbox. Pick the shop that partner {partner_id} may act on.</p>
<ul>
{items}
</ul></body></html>
"""
_ITEM = """<li><form method="get" action="{action}">{hidden}
<input type="hidden" name="shop_id" value="{shop_id}">
<button type="submit">Authorize</button> {name} ({region}, shop {shop_id})</form></li>"""


def _redirect_param(query: dict[str, str]) -> str:
    redirect = query.get("redirect", "")
    if not redirect:
        raise wire.param_error(wire.missing_in_query("redirect"))
    return redirect


def auth_partner_page(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The seller's page: one "Authorize" form per shop of the partner."""
    partner_id = authenticate_partner(state, req.query, path=AUTH_PARTNER_PATH)
    _redirect_param(req.query)
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(req.query[name])}">'
        for name in ("partner_id", "timestamp", "sign", "redirect")
    )
    items = "\n".join(
        _ITEM.format(
            action=AUTHORIZE_PATH,
            hidden=hidden,
            shop_id=shop.shop_id,
            name=html.escape(shop.name),
            region=html.escape(shop.region),
        )
        for shop in state.shops.values()
        if shop.partner_id == partner_id
    )
    page = _PAGE.format(partner_id=partner_id, items=items or "<li>This partner has no shop.</li>")
    return wire.Answer.text(page, content_type="text/html")


def authorize(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The seller clicked "Authorize": 302 to ``redirect`` with a fresh code and the shop_id."""
    partner_id = authenticate_partner(state, req.query, path=AUTH_PARTNER_PATH)
    redirect = _redirect_param(req.query)
    shop_id = int_field(req.query, "shop_id", where="query")
    shop = state.shops.get(shop_id)
    if shop is None or shop.partner_id != partner_id:
        raise wire.auth_error(wire.INVALID_PARTNER_OR_SHOP)
    code = state.issue_code(partner_id=partner_id, shop_id=shop_id)
    separator = "&" if "?" in redirect else "?"
    return wire.Answer.redirect(
        redirect + separator + urlencode({"code": code, "shop_id": shop_id})
    )


def _token_body(state: SandboxState, req: wire.Request, secret: str) -> tuple[int, int, str]:
    """Authenticate and read ``{secret, partner_id, shop_id}``: (partner_id, shop_id, secret)."""
    partner_id = authenticate_partner(state, req.query, path=req.path)
    body = json_body(req)
    value = body.get(secret)
    if value is None or value == "":
        raise wire.param_error(f"There is no {secret} in body.")
    if not isinstance(value, str):
        raise wire.param_error(f"Invalid {secret}: expected a string.")
    if int_field(body, "partner_id", where="body") != partner_id:
        raise wire.param_error(wire.INVALID_PARTNER_ID)
    shop_id = int_field(body, "shop_id", where="body")
    shop = state.shops.get(shop_id)
    if shop is None or shop.partner_id != partner_id:
        raise wire.auth_error(wire.INVALID_PARTNER_OR_SHOP)
    return partner_id, shop_id, value


def _tokens_answer(shop: Shop, extra: dict[str, Any] | None = None) -> wire.Answer:
    fields = {
        "access_token": shop.access_token,
        "refresh_token": shop.refresh_token,
        "expire_in": ACCESS_TOKEN_TTL,
    }
    return wire.Answer.json(wire.envelope() | (extra or {}) | fields)


def token_get(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/auth/token/get``: spend a code, issue fresh tokens for its shop.

    The shop's earlier tokens stay valid until their own expiry; the seller's authorization is
    renewed for 365 days from now.
    """
    partner_id, shop_id, code = _token_body(state, req, "code")
    if not state.use_code(code, partner_id=partner_id, shop_id=shop_id):
        raise wire.auth_error(wire.INVALID_CODE)
    state.renew_authorization(shop_id)
    return _tokens_answer(state.issue_tokens(shop_id))


def access_token_get(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/auth/access_token/get``: spend a refresh token, rotate both tokens."""
    partner_id, shop_id, refresh_token = _token_body(state, req, "refresh_token")
    check_shop_standing(state, state.shops[shop_id])
    shop = state.refresh(refresh_token, partner_id=partner_id, shop_id=shop_id)
    if shop is None:
        raise wire.auth_error(wire.INVALID_REFRESH_TOKEN)
    return _tokens_answer(shop, {"partner_id": partner_id, "shop_id": shop_id})
