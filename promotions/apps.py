from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    """Shopee's promotions beside vouchers (discounts, bundle deals, add-on deals, follow
    prizes, shop flash sales): their records, kinds and sync."""

    name = "promotions"
    verbose_name = _("Shopee promotions")
