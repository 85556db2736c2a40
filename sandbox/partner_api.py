"""Partner-level public APIs (public signature over the path; no shop token).

``GET /api/v2/public/get_shops_by_partner?page_no&page_size`` -- fields at the TOP LEVEL::

    {"request_id", "error": "", "message": "",
     "authed_shop_list": [{"shop_id", "region", "auth_time", "expire_time",
                           "sip_affi_shop_list": []}],
     "more": bool}

The calling partner's shops whose authorization is neither cancelled nor expired (banned and
frozen shops are still authorized, so listed), ascending ``shop_id``. ``page_no`` defaults to 1
(at least 1: "Invalid page_no: must be at least 1."), ``page_size`` to 100 (1-100: "Invalid
page_size: must be between 1 and 100."); both ``error_param``, our wording.

``GET /api/v2/push/get_lost_push_message`` -- under ``response``::

    {"request_id", "error": "", "message": "",
     "response": {"push_message_list": [{"code", "shop_id", "timestamp", "data": "<JSON text>"}],
                  "has_next_page": bool, "last_message_id": int}}

The earliest 100 pushes of this partner that were lost (the attempt ended without a 2xx, or no
push URL was set), not yet consumed, and at most 3 days old by the sandbox clock, oldest first.
Each entry is Shopee's: ``code``; ``shop_id`` only for a shop-level push that has one (never for
the partner-level codes 1, 2 and 12, whose ids are inside the message); ``timestamp``, when the
push was lost (its failed attempt); ``data``, a JSON string holding the whole push message
exactly as it was (or would have been) POSTed, e.g.
``"{\"code\": 3, \"shop_id\": 7, \"timestamp\": 1660123127, \"data\": {...}}"``: its own
``timestamp`` is when the push was made. ``last_message_id`` is the message_id of the last one
listed, 0 when the list is empty; entries carry no message id. Pushes still being delivered are
not lost (yet).

``POST /api/v2/push/confirm_consumed_lost_push_message`` ``{"last_message_id": int}`` -> every
lost push of this partner with ``message_id <= last_message_id`` is consumed (never listed again);
answers ``"response": {}``. Missing -> ``error_param`` "There is no last_message_id in body.", not
an integer -> "Invalid last_message_id: expected an integer, got '7'."; negative or greater than
the partner's newest lost message -> ``error_param`` "Invalid last_message_id." (ours; 0 is always
accepted and consumes nothing). Callers hold the state lock.
"""

from __future__ import annotations

from typing import Any

from sandbox import wire
from sandbox.common import authenticate_partner, int_field, json_body, page_param
from sandbox.push import PARTNER_LEVEL_CODES, Push
from sandbox.state import SandboxState

SHOPS_BY_PARTNER_PATH = "/api/v2/public/get_shops_by_partner"
GET_LOST_PUSH_PATH = "/api/v2/push/get_lost_push_message"
CONFIRM_CONSUMED_PATH = "/api/v2/push/confirm_consumed_lost_push_message"
SHOPS_PAGE_SIZE_MAX = 100
LOST_PUSH_WINDOW = 3 * 86400
LOST_PUSH_PAGE = 100


def get_shops_by_partner(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The partner's authorized shops, a page at a time (see the module docstring)."""
    partner_id = authenticate_partner(state, req.query, path=req.path)
    page_no = page_param(req.query, "page_no", low=1, high=None, default=1)
    page_size = page_param(
        req.query, "page_size", low=1, high=SHOPS_PAGE_SIZE_MAX, default=SHOPS_PAGE_SIZE_MAX
    )
    authorized = sorted(
        (
            shop
            for shop in state.shops.values()
            if shop.partner_id == partner_id
            and not shop.auth_cancelled
            and not state.authorization_expired(shop)
        ),
        key=lambda shop: shop.shop_id,
    )
    start = (page_no - 1) * page_size
    page = [
        {
            "shop_id": shop.shop_id,
            "region": shop.region,
            "auth_time": shop.auth_time,
            "expire_time": shop.auth_expire_time,
            "sip_affi_shop_list": [],
        }
        for shop in authorized[start : start + page_size]
    ]
    more = start + page_size < len(authorized)
    return wire.Answer.json(wire.envelope() | {"authed_shop_list": page, "more": more})


def _lost(state: SandboxState, partner_id: int) -> list[Push]:
    return [push for push in state.pushes if push.partner_id == partner_id and push.lost]


def _message(push: Push) -> dict[str, Any]:
    """One entry of ``push_message_list``, in Shopee's shape (see the module docstring)."""
    item: dict[str, Any] = {"code": push.code}
    if push.shop_id is not None and push.code not in PARTNER_LEVEL_CODES:
        item["shop_id"] = push.shop_id
    lost_at = push.time if push.lost_at is None else push.lost_at
    return item | {"timestamp": lost_at, "data": push.body}


def get_lost_push_message(state: SandboxState, req: wire.Request) -> wire.Answer:
    """The earliest 100 lost, unconsumed pushes of the last 3 days (see the module docstring)."""
    partner_id = authenticate_partner(state, req.query, path=req.path)
    now = state.now()
    waiting = [
        push
        for push in _lost(state, partner_id)
        if not push.consumed and now - push.time <= LOST_PUSH_WINDOW
    ]
    page = waiting[:LOST_PUSH_PAGE]
    response = {
        "push_message_list": [_message(push) for push in page],
        "has_next_page": len(waiting) > LOST_PUSH_PAGE,
        "last_message_id": page[-1].message_id if page else 0,
    }
    return wire.Answer.json(wire.envelope(response=response))


def confirm_consumed_lost_push_message(state: SandboxState, req: wire.Request) -> wire.Answer:
    """Mark the partner's lost pushes up to ``last_message_id`` consumed."""
    partner_id = authenticate_partner(state, req.query, path=req.path)
    last_message_id = int_field(json_body(req), "last_message_id", where="body")
    lost = _lost(state, partner_id)
    newest = max((push.message_id for push in lost), default=0)
    if not 0 <= last_message_id <= newest:
        raise wire.param_error(wire.INVALID_LAST_MESSAGE_ID)
    for push in lost:
        if push.message_id <= last_message_id:
            push.consumed = True
    return wire.Answer.json(wire.envelope(response={}))
