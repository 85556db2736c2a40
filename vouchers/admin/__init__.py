from vouchers.admin import audit, push, runs, shop, voucher  # noqa: F401  (registers the admin classes)
