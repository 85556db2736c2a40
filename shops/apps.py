from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    """Shops, their tokens, teams, authorizations and Shopee's pushes about them."""

    name = "shops"
    verbose_name = _("Shop accounts")
