from runs.admin import runs  # noqa: F401  (registers the admin classes)
