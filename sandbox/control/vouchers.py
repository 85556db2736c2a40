"""Control actions that play Seller Centre on vouchers, bypassing Shopee's API rules.

* ``POST /_sandbox/vouchers`` -- one voucher, the same fields as the reset document's vouchers
  (:mod:`sandbox.documents`; defaults from the sandbox clock), ``shop_id`` and ``voucher_id``
  required -> ``{"ok": true, "voucher": {"shop_id", ...every field}}``. A missing or malformed
  field, or a ``voucher_id`` any shop already has (Shopee's ids are global): 400; an unknown
  shop: 404. Shopee's cap of 1,000 ongoing plus upcoming vouchers per shop
  (``voucher_over_limit``) is not enforced here.
* ``POST /_sandbox/vouchers/<shop_id>/<voucher_id>`` -- change any fields, as a seller's edit
  in Seller Centre would (extend ``end_time``, move ``start_time`` of an ongoing voucher, make it
  Shopee-managed, ...) -> ``{"ok": true, "voucher": {...}}``. ``shop_id`` and ``voucher_id``
  cannot change (400); the result must still be a valid voucher (integer times, ``end_time`` not
  before ``start_time``: else 400, nothing changes); an unknown shop or voucher (or another
  shop's): 404. Unknown fields are kept, as at reset.
"""

from __future__ import annotations

from typing import Any

from sandbox import fields, wire
from sandbox.control.base import ControlError, path_id, read_body, shop_by_path
from sandbox.documents import DocumentError, voucher_with_defaults
from sandbox.state import SandboxState


def _view(shop_id: int, voucher: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "voucher": {"shop_id": shop_id} | voucher}


def add_voucher(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    body = read_body(req)
    try:
        shop_id = fields.integer(body, "shop_id", "voucher")
        voucher = voucher_with_defaults(body, where="voucher", now=state.now())
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    if shop_id not in state.shops:
        raise ControlError(f"unknown shop {shop_id}", 404)
    voucher_id = voucher["voucher_id"]
    if any(voucher_id in vouchers for vouchers in state.vouchers.values()):
        raise ControlError(f"voucher {voucher_id} already exists")
    state.vouchers.setdefault(shop_id, {})[voucher_id] = voucher
    return _view(shop_id, voucher)


def update_voucher(
    state: SandboxState, req: wire.Request, shop_text: str, voucher_text: str
) -> dict[str, Any]:
    shop = shop_by_path(state, shop_text)
    voucher_id = path_id(voucher_text)
    voucher = state.vouchers.get(shop.shop_id, {}).get(voucher_id)  # None id: not found
    if voucher is None:
        raise ControlError(f"unknown voucher {voucher_text!r} of shop {shop.shop_id}", 404)
    changes = read_body(req)
    fixed = sorted({"shop_id", "voucher_id"} & set(changes))
    if fixed:
        raise ControlError(f"{' and '.join(fixed)} cannot be changed")
    try:
        changed = voucher_with_defaults(
            voucher | changes, where=f"voucher {voucher_id}", now=state.now()
        )
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    voucher.clear()
    voucher.update(changed)
    return _view(shop.shop_id, voucher)
