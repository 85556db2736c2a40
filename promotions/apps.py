from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    """Shopee's promotions beside vouchers (discounts, bundle deals, add-on deals, follow
    prizes, shop flash sales): their records, kinds and sync."""

    name = "promotions"
    verbose_name = _("Shopee promotions")

    def ready(self):
        # Shops (below) receives pushes; the promotion codes are ours to apply.
        from promotions.services.pushes import PUSH_CODES, promotions_mark_stale
        from shops.services.push.handlers import push_handler_register

        for code in PUSH_CODES:
            push_handler_register(code=code, handler=promotions_mark_stale)
