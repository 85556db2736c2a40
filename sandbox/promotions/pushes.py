"""The ``data`` of Shopee's promotion pushes (shopee-promotions.md section 9), for one item of
one promotion. Shopee sends them per item; no push says that a whole promotion ended, and none
covers follow prizes or vouchers. The sandbox sends them only when a test asks
(``POST /_sandbox/promotions/<kind>/<shop_id>/<id>/push``): Shopee does not document when, or
whether, ending or deleting a promotion pushes anything.

Code 7 ``item_promotion_push`` (keys in the order of Shopee's sample)::

    {"shop_id", "item_id", "variation_id", "promotion_type", "promotion_id", "action",
     "update_time", "start_time", "end_time", "reserved_stock"}
    action: promo_lock_stock | promo_cancelled | promo_end

Code 9 ``promotion_update_push``, as the samples show it per action::

    added_in_promo:     {"shop_id", "promotion_id", "promotion_type", "start_time", "end_time",
                         "action", "item_id", "variation_id"}
    removed_from_promo: {"shop_id", "promotion_id", "promotion_type", "action", "item_id",
                         "variation_id"}
    promo_time_updated: {"shop_id", "promotion_id", "promotion_type", "end_time", "action",
                         "item_id", "variation_id"}

plus ``reserved_stock`` for stock-reserving promotions (flash sale). ``promotion_type``:
``seller_discount`` (discount), ``bundle_deal``, ``add_on_deal_main`` / ``add_on_deal_sub``
(add-on deal), ``flash_sale`` (shop flash sale).
"""

from __future__ import annotations

from typing import Any

ACTIONS = {
    7: ("promo_lock_stock", "promo_cancelled", "promo_end"),
    9: ("added_in_promo", "removed_from_promo", "promo_time_updated"),
}
PROMOTION_TYPES = (
    "seller_discount",
    "bundle_deal",
    "add_on_deal_main",
    "add_on_deal_sub",
    "flash_sale",
)


def item_promotion_data(
    *,
    shop_id: int,
    promotion_id: int,
    promotion_type: str,
    record: dict[str, Any],
    action: str,
    item_id: int,
    variation_id: int,
    reserved_stock: int,
    now: int,
) -> dict[str, Any]:
    """Code 7."""
    return {
        "shop_id": shop_id,
        "item_id": item_id,
        "variation_id": variation_id,
        "promotion_type": promotion_type,
        "promotion_id": promotion_id,
        "action": action,
        "update_time": now,
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "reserved_stock": reserved_stock,
    }


def promotion_update_data(
    *,
    shop_id: int,
    promotion_id: int,
    promotion_type: str,
    record: dict[str, Any],
    action: str,
    item_id: int,
    variation_id: int,
    reserved_stock: int,
) -> dict[str, Any]:
    """Code 9."""
    data: dict[str, Any] = {
        "shop_id": shop_id,
        "promotion_id": promotion_id,
        "promotion_type": promotion_type,
    }
    if action == "added_in_promo":
        data |= {"start_time": record["start_time"], "end_time": record["end_time"]}
    elif action == "promo_time_updated":
        data["end_time"] = record["end_time"]
    data |= {"action": action, "item_id": item_id, "variation_id": variation_id}
    if promotion_type == "flash_sale":
        data["reserved_stock"] = reserved_stock
    return data
