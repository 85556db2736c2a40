"""Shopee's shop APIs (shop signature, ``access_token`` and ``shop_id`` in the query).

``GET /api/v2/shop/get_shop_info``: after :func:`sandbox.common.authenticate_shop` (the same
checks as the voucher APIs, including ``shop_banned`` for a banned shop and ``error_auth`` for a
cancelled or expired authorization), the shop's fields at the TOP LEVEL, like the auth APIs (no
``response``)::

    {"request_id", "error": "", "message": "", "shop_name", "region",
     "status": "NORMAL" | "BANNED" | "FROZEN", "is_cb": false, "is_sip": false,
     "sip_affi_shops": [], "auth_time": <unix>, "expire_time": <unix>,
     "merchant_id": int | null, "is_main_shop": false}

``auth_time`` is when the seller last authorized the partner, ``expire_time`` when that
authorization ends. Shopee's own answer carries more fields (``is_cnsc``, ``shop_fulfillment_flag``,
...); the sandbox answers this subset. Callers hold the state lock.
"""

from __future__ import annotations

from sandbox import wire
from sandbox.common import authenticate_shop
from sandbox.state import SandboxState

GET_SHOP_INFO_PATH = "/api/v2/shop/get_shop_info"


def get_shop_info(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``GET /api/v2/shop/get_shop_info``: the calling shop's fields and authorization."""
    caller = authenticate_shop(state, req)
    shop = state.shops[caller.shop_id]
    fields = {
        "shop_name": shop.name,
        "region": shop.region,
        "status": shop.status,
        "is_cb": False,
        "is_sip": False,
        "sip_affi_shops": [],
        "auth_time": shop.auth_time,
        "expire_time": shop.auth_expire_time,
        "merchant_id": shop.merchant_id,
        "is_main_shop": False,
    }
    return wire.Answer.json(wire.envelope() | fields)
