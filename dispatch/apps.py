from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """The one paced sender of Shopee calls, and its pace shared through the database."""

    name = "dispatch"
    verbose_name = _("Dispatch")
