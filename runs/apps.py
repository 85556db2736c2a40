from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    """Runs that end or delete promotions in bulk: items, selections, the engine, CSV, rules."""

    name = "runs"
    verbose_name = _("Ending runs")
