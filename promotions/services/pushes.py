"""Shopee's promotion pushes (shopee-promotions.md section 9) mark our records stale.

Code 7 `item_promotion_push` (an item's stock locked or released by a promotion: `promo_end`,
`promo_cancelled`, ...) and code 9 `promotion_update_push` (an item added or removed, the
promotion's times changed) come per item and say nothing certain about the promotion as a
whole, so they are not applied to its fields: the record is marked `stale` ("changed at Shopee
since read"), and the next read of its shop's list refreshes it and clears the mark. A push's
`promotion_type` names the kind: `seller_discount` a discount, `bundle_deal`,
`add_on_deal_main` / `add_on_deal_sub` an add-on deal, `flash_sale` a shop flash sale (it also
covers Shopee's own flash sales, which are not ours: nothing matches them). Other types
(product promotions, group buys, streaming, campaigns) are not kept here. No push covers
follow prizes or vouchers.

Registered for codes 7 and 9 with the push receiver (`shops.services.push.handlers`) in
`PromotionsConfig.ready()`; runs inside the transaction that logs the push.
"""

from django.utils import translation

from audit.models.pushes import PushOutcome
from core.parsing import NumberError, parse_id
from promotions.models import Promotion, PromotionKindName

CODE_ITEM_PROMOTION, CODE_PROMOTION_UPDATE = 7, 9
PUSH_CODES = (CODE_ITEM_PROMOTION, CODE_PROMOTION_UPDATE)
KIND_OF_TYPE = {
    "seller_discount": PromotionKindName.DISCOUNT,
    "bundle_deal": PromotionKindName.BUNDLE_DEAL,
    "add_on_deal_main": PromotionKindName.ADD_ON_DEAL,
    "add_on_deal_sub": PromotionKindName.ADD_ON_DEAL,
    "flash_sale": PromotionKindName.SHOP_FLASH_SALE,
}


def promotions_mark_stale(message) -> tuple[str, str]:
    """Mark the promotion a code 7 or 9 push names as stale; (push outcome, detail).

    Ignored, saying why, when its type is not a kind kept here, its ids cannot be read, or no
    record of ours matches (kind, shop, promotion id)."""
    data = message.data if isinstance(message.data, dict) else {}
    promotion_type = data.get("promotion_type")
    kind = KIND_OF_TYPE.get(promotion_type) if isinstance(promotion_type, str) else None
    if kind is None:
        return (
            PushOutcome.IGNORED,
            f"Promotion type {str(promotion_type)[:60]!r} is not one shopadmin keeps.",
        )
    try:
        promotion_id = parse_id(data.get("promotion_id"), label="promotion_id")
        shop_id = parse_id(data.get("shop_id", message.shop_id), label="shop_id")
    except NumberError as error:
        return PushOutcome.IGNORED, f"Not applied: {error}"
    changed = Promotion.objects.filter(
        kind=kind, shop__shop_id=shop_id, promotion_id=promotion_id
    ).update(stale=True)
    with translation.override("en"):  # the push log is written in English
        what = f"{kind.label} {promotion_id} of shop {shop_id}"
    if not changed:
        return PushOutcome.IGNORED, f"No {what} is kept here."
    action = str(data.get("action", ""))[:40]
    return (
        PushOutcome.APPLIED,
        f"Shopee reports a change ({action or 'no action given'}) to {what}: marked as changed, "
        "the next read refreshes it.",
    )
