from vouchers.admin import audit, push, runs, shop, teams, voucher  # noqa: F401  (registers the admin classes)
