from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Work over many shops in the background: connect follow-up, sync, authorization checks."""

    name = "jobs"
    verbose_name = _("Background work")
