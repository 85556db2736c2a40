from vouchers.models.voucher import Voucher

__all__ = ["Voucher"]
