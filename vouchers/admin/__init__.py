from vouchers.admin import voucher  # noqa: F401  (registers the admin classes)
