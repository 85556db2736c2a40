from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Health, metrics, the worker, the dashboard, upkeep and the demo: the app as it runs."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from ops import tasks  # noqa: F401 - registers how runs are queued (tasks.py)
