"""List filters that offer only what the user may see."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shops.services.access import shops_visible


class VisibleShopFilter(admin.RelatedFieldListFilter):
    """The shop filter, listing only the user's shops (Django's lists every shop). A query on
    the shops table, not a DISTINCT over the filtered list, so it stays cheap on big tables."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("shop")  # the field's own name is not translated

    def field_choices(self, field, request, model_admin):
        shops = shops_visible(request.user).order_by("name")
        return [(shop.pk, str(shop)) for shop in shops]
