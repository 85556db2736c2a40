from django.contrib import admin

from runs.admin import runs  # noqa: F401  (registers the admin classes)
from runs.admin.campaign import campaign_register

campaign_register(admin.site)
