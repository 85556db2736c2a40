from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Who is told what by mail: settings, shop alerts, run mails."""

    name = "notifications"
    verbose_name = _("Notifications")
