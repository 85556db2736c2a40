"""Seed documents (``--seed NAME``): reset documents built relative to a start time.

``demo`` (:func:`demo_document`) is deterministic apart from ``now``: partner 2001887 with key
``sandbox_demo_partner_key``; four shops in SG, MY, TH and PH with fixed tokens (valid 4 hours
from load); 300 vouchers (75 a shop) ongoing, upcoming and expired relative to ``now``, among
them Shopee-created (``is_admin``) and shop-game/membership vouchers that Shopee refuses to end,
and a few ids beyond 32 bits. Every promotion kind too (:func:`demo_promotions`): per shop 6
discounts, 5 bundle deals, 5 add-on deals, 4 follow prizes and 6 shop flash sales, ongoing,
upcoming and expired, among them the Shopee-created ones each module refuses (discount
``source`` 1 admin and 7 live stream, a ``shopee_created`` bundle deal, an add-on deal of
``source`` 0, a ``system_rejected`` flash sale), a discount that started 30 minutes ago (too
early to end), and a disabled flash sale.
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


_HOUR = 3600
# (offset of start from now, offset of end from now, extra fields), per kind, for every shop.
_PROMOTIONS: dict[str, list[tuple[int, int, dict[str, Any]]]] = {
    "discount": [
        (-3 * _DAY, 5 * _DAY, {}),
        (-_HOUR // 2, 2 * _DAY, {}),  # started 30 minutes ago: too early to end
        (2 * _DAY, 9 * _DAY, {}),
        (-9 * _DAY, -2 * _DAY, {}),
        (-_DAY, 6 * _DAY, {"source": 1}),  # created in Shopee's admin
        (_DAY, 3 * _DAY, {"source": 7}),  # created by a live stream
    ],
    "bundle_deal": [
        (-2 * _DAY, 10 * _DAY, {}),
        (-_DAY, 3 * _DAY, {}),
        (3 * _DAY, 8 * _DAY, {}),
        (-20 * _DAY, -5 * _DAY, {}),
        (-_DAY, 7 * _DAY, {"shopee_created": True}),
    ],
    "add_on_deal": [
        (-4 * _DAY, 4 * _DAY, {}),
        (_DAY, 5 * _DAY, {"promotion_type": 1, "purchase_min_spend": 30.0, "per_gift_num": 1}),
        (4 * _DAY, 11 * _DAY, {}),
        (-12 * _DAY, -3 * _DAY, {}),
        (-_DAY, 9 * _DAY, {"source": 0}),  # created in Shopee's admin
    ],
    "follow_prize": [  # never overlapping while upcoming or ongoing
        (-2 * _DAY, 5 * _DAY, {}),
        (6 * _DAY, 9 * _DAY, {}),
        (-30 * _DAY, -20 * _DAY, {}),
        (-19 * _DAY, -3 * _DAY, {"claimed": 40}),
    ],
    "shop_flash_sale": [
        (-_HOUR // 2, _HOUR // 2, {"item_count": 8, "enabled_item_count": 8}),
        (_HOUR, 2 * _HOUR, {"item_count": 5, "enabled_item_count": 5}),
        (26 * _HOUR, 27 * _HOUR, {"item_count": 3, "enabled_item_count": 3}),
        (-_DAY, -_DAY + _HOUR, {"item_count": 6, "enabled_item_count": 6}),
        (2 * _HOUR, 3 * _HOUR, {"status": 3, "item_count": 2}),  # system_rejected
        (50 * _HOUR, 51 * _HOUR, {"status": 2, "item_count": 4}),  # disabled
    ],
}
_ID_BASES = {  # Shopee's ids: discounts' and flash sales' beyond 32 bits, bundles' int32
    "discount": ("discount_id", 661_460_179_000_000),
    "bundle_deal": ("bundle_deal_id", 113_000),
    "add_on_deal": ("add_on_deal_id", 12_000),
    "follow_prize": ("campaign_id", 1_500),
    "shop_flash_sale": ("flash_sale_id", 669_260_829_760_000),
}


def demo_promotions(shop_ids: list[int], now: int) -> dict[str, list[dict[str, Any]]]:
    """The demo's promotions of every kind for ``shop_ids``, times relative to ``now``."""
    promotions: dict[str, list[dict[str, Any]]] = {}
    for kind, rows in _PROMOTIONS.items():
        id_field, first_id = _ID_BASES[kind]
        promotions[kind] = [
            {
                "shop_id": shop_id,
                id_field: first_id + shop_no * 100 + index,
                "start_time": now + start,
                "end_time": now + end,
            }
            | extra
            for shop_no, shop_id in enumerate(shop_ids)
            for index, (start, end, extra) in enumerate(rows)
        ]
    return promotions


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
        "promotions": demo_promotions([shop[0] for shop in DEMO_SHOPS], now),
    }


SEEDS: dict[str, Callable[[int], dict[str, Any]]] = {"demo": demo_document}
