from jobs.admin import jobs  # noqa: F401  (registers the admin classes)
