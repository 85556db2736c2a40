"""Promotion kinds as plug-ins (see `base.PromotionKind`): one module per kind."""

from shopee.errors import COMMON_ERRORS
from vouchers.services.kinds.voucher import VOUCHER

KINDS = (VOUCHER,)


def known_errors() -> list[str]:
    """Shopee's error codes worth a filter: the common ones, then each kind's own."""
    return [*COMMON_ERRORS, *(code for kind in KINDS for code in kind.error_codes)]
