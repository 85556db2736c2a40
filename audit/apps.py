from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only log of every Shopee call and push (models), read by the admin."""

    name = "audit"
    verbose_name = _("Audit log")
