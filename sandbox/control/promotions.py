"""Control actions on promotions (every kind of :data:`sandbox.promotions.KINDS`), playing Seller
Centre and Shopee itself, bypassing Shopee's API rules. ``<kind>`` is the module name
(``discount``, ``bundle_deal``, ``add_on_deal``, ``follow_prize``, ``shop_flash_sale``), ``<id>``
the kind's id (``discount_id``, ``bundle_deal_id``, ``add_on_deal_id``, ``campaign_id``,
``flash_sale_id``).

* ``POST /_sandbox/promotions/<kind>`` -- one record, the reset document's fields (``shop_id``
  and the id required; any state: pick ``start_time``/``end_time``; Shopee-created: discount
  ``source`` 1 or 7, bundle deal ``shopee_created: true``, add-on deal ``source`` 0, flash sale
  ``status`` 3; follow prizes have none) -> ``{"ok": true, "promotion": {"shop_id", ...}}``.
  An id the kind already has (any shop): 400; unknown shop: 404.
* ``POST /_sandbox/promotions/<kind>/<shop_id>/<id>`` -- change any fields (extend ``end_time``,
  make it Shopee-created, ...) -> ``{"ok", "promotion"}``; ``shop_id`` and the id cannot change;
  the result must stay a valid record (400, nothing changes).
* ``POST /_sandbox/promotions/<kind>/<shop_id>/<id>/end`` -- the seller ends it in Seller
  Centre: ``end_time`` = now (an upcoming one gets ``start_time`` = now too); a flash sale is
  switched off instead (status 2) -> ``{"ok", "promotion"}``.
* ``POST /_sandbox/promotions/<kind>/<shop_id>/<id>/delete`` -- the seller deletes it: gone (a
  flash sale stays with status 0, as the API's delete leaves it) -> ``{"ok": true}``.
* ``POST /_sandbox/promotions/<kind>/<shop_id>/<id>/push`` ``{"code": 7 | 9, "action",
  "item_id", "variation_id" (default 0), "reserved_stock" (default 0), "promotion_type"
  (default the kind's; ``add_on_deal_sub`` for an add-on's sub item)}`` -> ``{"ok", "push"}``:
  Shopee's push for one item of it (:mod:`sandbox.promotions.pushes`), signed and delivered
  like every push. Follow prizes: 400 (Shopee sends none). Default action: code 7
  ``promo_end``, code 9 ``promo_time_updated``.

Unknown kind, shop or record: 404.
"""

from __future__ import annotations

from typing import Any

from sandbox import fields, push, wire
from sandbox.control.base import ControlError, Delivery, path_id, read_body, shop_by_path
from sandbox.fields import DocumentError
from sandbox.promotions import KINDS, base, pushes
from sandbox.promotions.base import Kind
from sandbox.state import SandboxState


def _kind(text: str) -> Kind:
    kind = KINDS.get(text)
    if kind is None:
        raise ControlError(f"unknown promotion kind {text!r}; known: {sorted(KINDS)}", 404)
    return kind


def _view(kind: Kind, shop_id: int, record: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "promotion": {"kind": kind.name, "shop_id": shop_id} | record}


def _located(
    state: SandboxState, kind_text: str, shop_text: str, id_text: str
) -> tuple[Kind, int, dict[int, dict[str, Any]], int]:
    kind = _kind(kind_text)
    shop = shop_by_path(state, shop_text)
    records = base.shop_records(state, kind, shop.shop_id)
    promotion_id = path_id(id_text)
    if promotion_id not in records:
        raise ControlError(f"unknown {kind.name} {id_text!r} of shop {shop.shop_id}", 404)
    return kind, shop.shop_id, records, promotion_id  # type: ignore[return-value]


def add_promotion(state: SandboxState, req: wire.Request, kind_text: str) -> dict[str, Any]:
    kind = _kind(kind_text)
    entry = read_body(req)
    try:
        shop_id = fields.integer(entry, "shop_id", kind.name)
        record = base.record_with_defaults(kind, entry, where=kind.name, now=state.now())
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    if shop_id not in state.shops:
        raise ControlError(f"unknown shop {shop_id}", 404)
    promotion_id = record[kind.id_field]
    if any(promotion_id in by_id for by_id in state.promotions.get(kind.name, {}).values()):
        raise ControlError(f"{kind.name} {promotion_id} already exists")
    base.shop_records(state, kind, shop_id)[promotion_id] = record
    return _view(kind, shop_id, record)


def edit_promotion(
    state: SandboxState, req: wire.Request, kind_text: str, shop_text: str, id_text: str
) -> dict[str, Any]:
    kind, shop_id, records, promotion_id = _located(state, kind_text, shop_text, id_text)
    changes = read_body(req)
    fixed = sorted({"shop_id", kind.id_field} & set(changes))
    if fixed:
        raise ControlError(f"{' and '.join(fixed)} cannot be changed")
    record = records[promotion_id]
    try:
        changed = base.record_with_defaults(
            kind, record | changes, where=f"{kind.name} {promotion_id}", now=state.now()
        )
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    record.clear()
    record.update(changed)
    return _view(kind, shop_id, record)


def end_promotion(
    state: SandboxState, req: wire.Request, kind_text: str, shop_text: str, id_text: str
) -> dict[str, Any]:
    kind, shop_id, records, promotion_id = _located(state, kind_text, shop_text, id_text)
    read_body(req)
    if kind.seller_end is not None:
        kind.seller_end(records[promotion_id], state.now())
    return _view(kind, shop_id, records[promotion_id])


def delete_promotion(
    state: SandboxState, req: wire.Request, kind_text: str, shop_text: str, id_text: str
) -> dict[str, Any]:
    kind, _, records, promotion_id = _located(state, kind_text, shop_text, id_text)
    read_body(req)
    if kind.seller_delete is not None:
        kind.seller_delete(records, promotion_id, state.now())
    return {"ok": True}


def _push_fields(kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
    code = fields.integer(body, "code", "push")
    if code not in pushes.ACTIONS:
        raise DocumentError(f"push: code must be 7 or 9, got {code}")
    action = body.get("action") or pushes.ACTIONS[code][-1]
    if action not in pushes.ACTIONS[code]:
        raise DocumentError(f"push: action must be one of {list(pushes.ACTIONS[code])}")
    promotion_type = body.get("promotion_type") or kind.push_type
    if promotion_type not in pushes.PROMOTION_TYPES:
        raise DocumentError(f"push: promotion_type must be one of {list(pushes.PROMOTION_TYPES)}")
    return {
        "code": code,
        "action": action,
        "promotion_type": promotion_type,
        "item_id": fields.integer(body, "item_id", "push"),
        "variation_id": fields.optional_integer(body, "variation_id", "push", 0),
        "reserved_stock": fields.optional_integer(body, "reserved_stock", "push", 0),
    }


def push_promotion(
    state: SandboxState, req: wire.Request, kind_text: str, shop_text: str, id_text: str
) -> Delivery:
    kind, shop_id, records, promotion_id = _located(state, kind_text, shop_text, id_text)
    if kind.push_type is None:
        raise ControlError(f"Shopee sends no push for a {kind.name}")
    try:
        given = _push_fields(kind, read_body(req))
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    code = given.pop("code")
    common = given | {
        "shop_id": shop_id,
        "promotion_id": promotion_id,
        "record": records[promotion_id],
    }
    data = (
        pushes.item_promotion_data(**common, now=state.now())
        if code == 7
        else pushes.promotion_update_data(**common)
    )
    partner_id = state.shops[shop_id].partner_id
    sent = push.new_push(state, partner_id=partner_id, code=code, data=data, shop_id=shop_id)
    return Delivery({"ok": True}, {"push": sent})
