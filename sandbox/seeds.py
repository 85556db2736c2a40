"""Seed documents (``--seed NAME``): reset documents built relative to a start time.

``demo`` (:func:`demo_document`) is deterministic apart from ``now``: partner 2001887 with key
``sandbox_demo_partner_key``; four shops in SG, MY, TH and PH with fixed tokens (valid 4 hours
from load); 300 vouchers (75 a shop) ongoing, upcoming and expired relative to ``now``, among
them Shopee-created (``is_admin``) and shop-game/membership vouchers that Shopee refuses to end,
and a few ids beyond 32 bits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

DEMO_PARTNER_ID = 2001887
DEMO_PARTNER_KEY = "sandbox_demo_partner_key"
DEMO_SHOPS = (
    (700001, "Acme Official SG", "SG"),
    (700002, "Acme MY", "MY"),
    (700003, "Acme Thailand", "TH"),
    (700004, "Acme PH", "PH"),
)
VOUCHERS_PER_SHOP = 75
_DAY = 86400
_NAMES = ("Payday", "Flash Sale", "New Buyer", "Free Shipping", "Weekend", "Mega Sale", "VIP")


def _voucher(rng: random.Random, *, shop_id: int, voucher_id: int, index: int, now: int) -> dict:
    state = ("ongoing", "ongoing", "upcoming", "expired")[index % 4]
    if state == "ongoing":
        start = now - rng.randint(1, 20) * _DAY
        end = now + rng.randint(1, 30) * _DAY
    elif state == "upcoming":
        start = now + rng.randint(1, 14) * _DAY
        end = start + rng.randint(1, 30) * _DAY
    else:
        end = now - rng.randint(1, 30) * _DAY
        start = end - rng.randint(1, 30) * _DAY
    percentage = rng.random() < 0.3
    quantity = rng.choice((50, 100, 200, 500, 1000))
    return {
        "shop_id": shop_id,
        "voucher_id": voucher_id,
        "voucher_code": f"ACME{voucher_id % 100000:05d}",
        "voucher_name": f"{rng.choice(_NAMES)} {index + 1}",
        "voucher_type": 2 if index % 5 == 0 else 1,
        "reward_type": 2 if percentage else 1,
        "usage_quantity": quantity,
        "current_usage": 0 if state == "upcoming" else rng.randint(0, quantity),
        "start_time": start,
        "end_time": end,
        "display_start_time": start - rng.choice((0, 0, _DAY)),
        "is_admin": index % 13 == 7,
        "voucher_purpose": 4 if index % 11 == 3 else 6 if index % 17 == 5 else 0,
        "discount_amount": 0.0 if percentage else float(rng.choice((1, 2, 5, 10, 20))),
        "percentage": rng.choice((5, 10, 15, 20)) if percentage else 0,
        "min_basket_price": float(rng.choice((0, 10, 20, 50))),
        "max_price": float(rng.choice((0, 10, 30))) if percentage else 0.0,
        "display_channel_list": [1],
        "item_id_list": [] if index % 5 else [rng.randint(10**9, 10**10) for _ in range(3)],
    }


def demo_document(now: int) -> dict[str, Any]:
    """The demo reset document, its voucher times relative to ``now`` (Unix seconds)."""
    rng = random.Random(2001887)
    shops, vouchers = [], []
    for shop_no, (shop_id, name, region) in enumerate(DEMO_SHOPS):
        shops.append(
            {
                "shop_id": shop_id,
                "partner_id": DEMO_PARTNER_ID,
                "name": name,
                "region": region,
                "access_token": f"{rng.getrandbits(128):032x}",
                "refresh_token": f"{rng.getrandbits(128):032x}",
            }
        )
        for index in range(VOUCHERS_PER_SHOP):
            voucher_id = 1_100_000_000 + shop_no * 1_000_000 + index * 37
            if index % 25 == 24:  # ids beyond 32 bits occur in the wild
                voucher_id = 2**32 + 5_000_000 + shop_no * 1000 + index
            vouchers.append(
                _voucher(rng, shop_id=shop_id, voucher_id=voucher_id, index=index, now=now)
            )
    return {
        "partners": [{"partner_id": DEMO_PARTNER_ID, "partner_key": DEMO_PARTNER_KEY}],
        "shops": shops,
        "vouchers": vouchers,
    }


SEEDS: dict[str, Callable[[int], dict[str, Any]]] = {"demo": demo_document}
