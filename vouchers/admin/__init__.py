from vouchers.admin import audit, runs, shop, voucher  # noqa: F401  (registers the admin classes)
