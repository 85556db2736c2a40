from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("Shopee vouchers")

    def ready(self):
        from vouchers import tasks  # noqa: F401 - registers how runs are queued (tasks.py)
