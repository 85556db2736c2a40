from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    """Promotion records read from Shopee (vouchers), their sync, and the promotion kinds."""

    name = "vouchers"
    verbose_name = _("Shopee vouchers")
