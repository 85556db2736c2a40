from vouchers.admin import audit, shop, voucher  # noqa: F401  (registers the admin classes)
