"""Control actions that play the seller's side of the authorization lifecycle, and the pushes.

Each answers ``{"ok": true, "push": <record>}`` once the push's delivery has been attempted
(synchronously, without the state lock; :mod:`sandbox.push`):

* ``POST /_sandbox/shops/<id>/cancel_authorization`` -- the seller cancels: the shop is
  ``auth_cancelled`` and its tokens revoked (so is its merchant's, if it is a merchant of a
  main account: a cancellation push tells the truth about every id it lists); code 2 push with
  ``shop_id``, ``shop_id_list: [id]``, ``merchant_id_list: [its merchant_id]`` or ``[]``.
* ``POST /_sandbox/main_accounts/<id>/cancel_authorization`` -- every shop and merchant of the
  main account cancelled and revoked; ONE code 2 push (no ``shop_id``) listing them all, with
  ``main_account_id``.
* ``POST /_sandbox/authorization_expiry`` ``{"shop_ids": [...], "merchant_ids": [...]
  (optional), "expire_at": int (optional, default sandbox now + 7 days)}`` -- sets each listed
  shop's (and merchant's) ``auth_expire_time`` to ``expire_at`` and sends ONE code 12 push
  (``expire_before`` = ``expire_at``, ids ascending). All ids must be one partner's (400).
* ``POST /_sandbox/push`` ``{"code": int, "data": object, "shop_id": int (optional),
  "partner_id": int (optional)}`` -- sends exactly that push (tests of unknown shops or codes),
  signed with the key of ``partner_id``, else of the shop's partner when the shop is known,
  else of the first partner. Changes nothing else.

``GET /_sandbox/pushes`` -> ``{"pushes": [<record>, ...]}`` oldest first, each record
``{"message_id", "partner_id", "code", "shop_id", "url", "body", "authorization", "time",
"pending", "delivered", "status", "error", "consumed"}``. Unknown shop or main account: 404;
malformed body: 400.
"""

from __future__ import annotations

from typing import Any

from sandbox import fields, push, wire
from sandbox.accounts import Merchant
from sandbox.control.base import (
    ControlError,
    Delivery,
    main_account_by_path,
    read_body,
    shop_by_path,
)
from sandbox.documents import DocumentError, Shop
from sandbox.state import SandboxState

EXPIRY_NOTICE = 7 * 86400  # Shopee warns 7 days before an authorization ends


def pushes(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    return {"pushes": [p.view() for p in state.pushes]}


def cancel_shop(state: SandboxState, req: wire.Request, shop_id: str) -> Delivery:
    shop = shop_by_path(state, shop_id)
    read_body(req)
    state.cancel_authorization(shop)
    merchant_ids = [] if shop.merchant_id is None else [shop.merchant_id]
    merchant = state.merchants.get(shop.merchant_id) if shop.merchant_id is not None else None
    if merchant is not None:
        state.cancel_authorization(merchant)
    data = push.authorization_data(code=2, shop_ids=[shop.shop_id], merchant_ids=merchant_ids)
    sent = push.new_push(state, partner_id=shop.partner_id, code=2, data=data, shop_id=shop.shop_id)
    return Delivery({"ok": True}, {"push": sent})


def cancel_main_account(state: SandboxState, req: wire.Request, account_id: str) -> Delivery:
    account = main_account_by_path(state, account_id)
    read_body(req)
    for shop_id in account.shop_ids:
        state.cancel_authorization(state.shops[shop_id])
    for merchant_id in account.merchant_ids:
        state.cancel_authorization(state.merchants[merchant_id])
    data = push.authorization_data(
        code=2,
        shop_ids=list(account.shop_ids),
        merchant_ids=list(account.merchant_ids),
        main_account_id=account.main_account_id,
    )
    sent = push.new_push(state, partner_id=account.partner_id, code=2, data=data)
    return Delivery({"ok": True}, {"push": sent})


def _listed(state: SandboxState, body: dict[str, Any]) -> tuple[list[Shop], list[Merchant]]:
    try:
        if "shop_ids" not in body:
            raise DocumentError("authorization_expiry: shop_ids is required")
        shop_ids = fields.integer_list(body, "shop_ids", "authorization_expiry")
        merchant_ids = fields.integer_list(body, "merchant_ids", "authorization_expiry")
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    if not shop_ids and not merchant_ids:
        raise ControlError("authorization_expiry: list at least one shop or merchant")
    unknown_shops = [i for i in shop_ids if i not in state.shops]
    unknown_merchants = [i for i in merchant_ids if i not in state.merchants]
    if unknown_shops or unknown_merchants:
        raise ControlError(
            f"unknown shop(s) {unknown_shops} / merchant(s) {unknown_merchants}", 404
        )
    shops = [state.shops[i] for i in sorted(shop_ids)]
    merchants = [state.merchants[i] for i in sorted(merchant_ids)]
    return shops, merchants


def authorization_expiry(state: SandboxState, req: wire.Request) -> Delivery:
    body = read_body(req)
    shops, merchants = _listed(state, body)
    try:
        expire_at = fields.optional_integer(
            body, "expire_at", "authorization_expiry", state.now() + EXPIRY_NOTICE
        )
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    partner_ids = {holder.partner_id for holder in [*shops, *merchants]}
    if len(partner_ids) != 1:
        raise ControlError("authorization_expiry: the ids must all be one partner's")
    for holder in [*shops, *merchants]:
        holder.auth_expire_time = expire_at
    data = push.expiry_data(
        shop_ids=[shop.shop_id for shop in shops],
        merchant_ids=[merchant.merchant_id for merchant in merchants],
        expire_before=expire_at,
    )
    sent = push.new_push(state, partner_id=partner_ids.pop(), code=12, data=data)
    return Delivery({"ok": True}, {"push": sent})


def send_push(state: SandboxState, req: wire.Request) -> Delivery:
    body = read_body(req)
    try:
        code = fields.integer(body, "code", "push")
        shop_id = fields.optional_integer(body, "shop_id", "push", None)
        partner_id = fields.optional_integer(body, "partner_id", "push", None)
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    data = body.get("data")
    if not isinstance(data, dict):
        raise ControlError(f"push: data must be a JSON object, got {data!r}")
    if partner_id is None:
        shop = state.shops.get(shop_id) if shop_id is not None else None
        partner_id = shop.partner_id if shop else next(iter(state.partners), None)
    if partner_id is None:
        raise ControlError("push: there is no partner to sign the push with")
    if partner_id not in state.partners:
        raise ControlError(f"unknown partner {partner_id}", 404)
    sent = push.new_push(state, partner_id=partner_id, code=code, data=data, shop_id=shop_id)
    return Delivery({"ok": True}, {"push": sent})
