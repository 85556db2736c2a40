from vouchers.models.audit import ShopeeCall
from vouchers.models.shop import Shop, ShopToken
from vouchers.models.voucher import Voucher

__all__ = ["Shop", "ShopToken", "ShopeeCall", "Voucher"]
