from shops.admin import shop, teams  # noqa: F401  (registers the admin classes)
