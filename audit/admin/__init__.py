from audit.admin import calls, pushes  # noqa: F401  (registers the admin classes)
