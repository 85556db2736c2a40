from vouchers.admin import audit, jobs, push, runs, shop, teams, voucher  # noqa: F401  (registers the admin classes)
