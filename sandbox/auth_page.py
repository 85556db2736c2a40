"""The seller's side of authorization: Shopee's authorization page and its "Authorize" buttons.

* ``GET /api/v2/shop/auth_partner?partner_id&timestamp&sign&redirect=URL`` (public sign over
  ``/api/v2/shop/auth_partner``; the link dies 5 minutes after ``timestamp``): an HTML page with
  one form per shop of the partner ("Authorize": a button) and one per main account of the
  partner ("Authorize main account <name> (N shops)"; "1 shop" for one).
* ``GET /api/v2/shop/auth_partner/authorize?partner_id&timestamp&sign&redirect=URL`` plus
  EXACTLY ONE of ``shop_id=ID`` / ``main_account_id=ID`` (sandbox-only; the same signed
  parameters as the page): what a button submits. Answers 302 to ``URL?code=<32 hex>&shop_id=ID``
  or ``URL?code=<32 hex>&main_account_id=ID`` (``&`` when URL has a query already). A code works
  once, for that partner and that shop or main account, for 10 minutes. Tests may call it
  directly (:func:`sandbox.testing.authorize_shop`, :func:`sandbox.testing.authorize_main_account`).

Refusals (HTTP 200 JSON, like every Shopee error, even where the seller expects a page): the
public signature checks (:func:`sandbox.common.authenticate_partner`); no ``redirect`` ->
``error_param`` "There is no redirect in query." (ours); neither or both ids -> ``error_param``
"There is no shop_id or main_account_id in query." / "Give exactly one of shop_id and
main_account_id, not both." (ours); a shop that is not the partner's -> ``error_auth`` "Invalid
partner_id or shopid."; an unknown main account or another partner's -> ``invalid_main_acount_id``
(Shopee's spelling) with Shopee's message "The code or main_accoount_id is wrong, please check
the code or the main_account_id.".

Clicking does not renew the authorization (the code exchange does), but Shopee then pushes code 1
(authorized, :mod:`sandbox.push`) for the shop (``shop_id``, ``shop_id_list: [ID]``,
``merchant_id_list``: its merchant or ``[]``) or the main account (no ``shop_id``; its shops and
merchants, ``main_account_id``), delivered from a background thread after the 302 is sent.
Callers hold the state lock.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from sandbox import push, wire
from sandbox.accounts import MainAccount
from sandbox.common import authenticate_partner, one_id_of
from sandbox.state import SandboxState

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
AUTHORIZE_PATH = "/api/v2/shop/auth_partner/authorize"

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shopee sandbox: authorize partner {partner_id}</title>
<style>body{{font-family:sans-serif;margin:2em}} li{{margin:.5em 0}}</style></head>
<body><h1>Authorize partner {partner_id}</h1>
<p>You are a seller in the Shopee sandbox. Pick the shop that partner {partner_id} may act on.</p>
<ul>
{items}
</ul>
{accounts}</body></html>
"""
_ITEM = """<li><form method="get" action="{action}">{hidden}
<input type="hidden" name="shop_id" value="{shop_id}">
<button type="submit">Authorize</button> {name} ({region}, shop {shop_id})</form></li>"""
_ACCOUNTS = """<h2>Main accounts</h2>
<p>Or log in with a main account: one authorization covers all its shops.</p>
<ul>
{items}
</ul>
"""
_ACCOUNT_ITEM = """<li><form method="get" action="{action}">{hidden}
<input type="hidden" name="main_account_id" value="{main_account_id}">
<button type="submit">Authorize main account {name} ({count})</button>
main account {main_account_id}</form></li>"""


def _redirect_param(query: dict[str, str]) -> str:
    redirect = query.get("redirect", "")
    if not redirect:
        raise wire.param_error(wire.missing_in_query("redirect"))
    return redirect


def _shops(count: int) -> str:
    return "1 shop" if count == 1 else f"{count} shops"


def auth_partner_page(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The seller's page: one "Authorize" form per shop and per main account of the partner."""
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
    account_items = "\n".join(
        _ACCOUNT_ITEM.format(
            action=AUTHORIZE_PATH,
            hidden=hidden,
            main_account_id=account.main_account_id,
            name=html.escape(account.name),
            count=_shops(len(account.shop_ids)),
        )
        for account in state.main_accounts.values()
        if account.partner_id == partner_id
    )
    page = _PAGE.format(
        partner_id=partner_id,
        items=items or "<li>This partner has no shop.</li>",
        accounts=_ACCOUNTS.format(items=account_items) if account_items else "",
    )
    return wire.Answer.text(page, content_type="text/html")


def main_account_of_partner(
    state: SandboxState, main_account_id: int, partner_id: int
) -> MainAccount:
    """The partner's main account, else ``invalid_main_acount_id`` (Shopee's spelling)."""
    account = state.main_accounts.get(main_account_id)
    if account is None or account.partner_id != partner_id:
        raise wire.ShopeeError("invalid_main_acount_id", wire.INVALID_MAIN_ACCOUNT)
    return account


def authorize(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The seller clicked "Authorize": 302 to ``redirect`` with a fresh code; push code 1."""
    partner_id = authenticate_partner(state, req.query, path=AUTH_PARTNER_PATH)
    redirect = _redirect_param(req.query)
    which, owner_id = one_id_of(req.query, ("shop_id", "main_account_id"), where="query")
    if which == "shop_id":
        shop = state.shops.get(owner_id)
        if shop is None or shop.partner_id != partner_id:
            raise wire.auth_error(wire.INVALID_PARTNER_OR_SHOP)
        code = state.issue_code(partner_id=partner_id, shop_id=owner_id)
        merchants = [] if shop.merchant_id is None else [shop.merchant_id]
        data = push.authorization_data(code=1, shop_ids=[owner_id], merchant_ids=merchants)
        pushed = push.new_push(state, partner_id=partner_id, code=1, data=data, shop_id=owner_id)
    else:
        account = main_account_of_partner(state, owner_id, partner_id)
        code = state.issue_code(partner_id=partner_id, main_account_id=owner_id)
        data = push.authorization_data(
            code=1,
            shop_ids=list(account.shop_ids),
            merchant_ids=list(account.merchant_ids),
            main_account_id=owner_id,
        )
        pushed = push.new_push(state, partner_id=partner_id, code=1, data=data)
    separator = "&" if "?" in redirect else "?"
    answer = wire.Answer.redirect(redirect + separator + urlencode({"code": code, which: owner_id}))
    answer.pushes.append(pushed)
    return answer
