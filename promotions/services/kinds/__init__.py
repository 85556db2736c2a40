"""Every kind of Shopee promotion shopadmin handles, as plug-ins (`vouchers.services.kinds.base`):
vouchers and the kinds kept in `promotions.models.Promotion`.

`vouchers.services.kinds` keeps a voucher-only registry for its own callers; this one lists all.
"""

from promotions.services.kinds.add_on_deal import ADD_ON_DEAL
from promotions.services.kinds.bundle_deal import BUNDLE_DEAL
from promotions.services.kinds.discount import DISCOUNT
from promotions.services.kinds.follow_prize import FOLLOW_PRIZE
from promotions.services.kinds.shop_flash_sale import SHOP_FLASH_SALE
from shopee.errors import COMMON_ERRORS
from vouchers.services.kinds.base import PromotionKind
from vouchers.services.kinds.voucher import VOUCHER

KINDS = (VOUCHER, DISCOUNT, BUNDLE_DEAL, ADD_ON_DEAL, FOLLOW_PRIZE, SHOP_FLASH_SALE)
# The kinds whose records are `Promotion` rows (every kind but vouchers).
PROMOTION_KINDS = KINDS[1:]
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_named(name: str) -> PromotionKind:
    """The kind of that `name` ("voucher", "discount", ...); KeyError naming it if unknown."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"Unknown promotion kind {name!r}.") from None


def known_errors() -> list[str]:
    """Shopee's error codes worth a filter: the common ones, then each kind's own (once)."""
    codes = [*COMMON_ERRORS, *(code for kind in KINDS for code in kind.error_codes)]
    return list(dict.fromkeys(codes))
