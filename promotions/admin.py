"""The promotions' pages: browse Shopee's discounts, bundle deals, add-on deals, follow prizes
and shop flash sales as the voucher list is browsed.

Filtered by kind, status (upcoming, ongoing, expired: by the times, as Shopee files them),
shop, "created by Shopee" and "changed at Shopee since read"; searched by name words or the
exact Shopee id. A team member sees only their teams' shops (`shops.services.access`, the one
team rule). Records come from Shopee's lists and are read-only here: nothing is added, changed
or deleted through these pages.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.cells import badge, truncated
from core.parsing import is_id, parse_id
from promotions.models import Promotion
from promotions.services.kinds import kind_named
from shopadmin.paging import CappedCountPaginator, CheckedQuery
from shops.admin.filters import VisibleShopFilter
from shops.services.access import visible
from vouchers.admin.records import STATUS_WORDS as RECORD_STATUS_WORDS
from vouchers.admin.records import RecordColumns, StatusFilter, record_state

STATUS_WORDS = {
    **RECORD_STATUS_WORDS,
    "switched_off": _("Switched off"),
    "deleted_at_shopee": _("Deleted at Shopee"),
}
# A shop flash sale Shopee lists although it is not live (its `shopee_status`).
OFF_AT_SHOPEE = {"disabled": "switched_off", "deleted": "deleted_at_shopee"}
BADGE_COLOUR = {"switched_off": "ended", "deleted_at_shopee": "deleted"}


def promotion_state(promotion) -> str:
    """Ended or deleted through shopadmin; else switched off or deleted at Shopee (a flash
    sale); else upcoming, ongoing or expired by its times."""
    state = record_state(promotion)
    if state in ("deleted", "ended") or promotion.shopee_status not in OFF_AT_SHOPEE:
        return state
    return OFF_AT_SHOPEE[promotion.shopee_status]


def status_badge(promotion):
    state = promotion_state(promotion)
    return badge(BADGE_COLOUR.get(state, state), STATUS_WORDS[state])


@admin.register(Promotion)
class PromotionAdmin(RecordColumns, CheckedQuery, admin.ModelAdmin):
    status_badge = staticmethod(status_badge)

    list_display = [
        "name_label",
        "kind",
        "status_label",
        "shop_label",
        "shop_times",
        "managed_label",
    ]
    list_filter = [
        "kind",
        StatusFilter,
        ("shop", VisibleShopFilter),
        "shopee_managed",
        "stale",
    ]
    search_fields = ["name"]  # see get_search_results
    search_help_text = _("Search by Shopee id or words of the name.")
    list_select_related = ["shop"]
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = None
    fields = [
        "status_detail",
        "kind",
        "name",
        "shop",
        "promotion_id",
        "shop_times",
        "shopee_status",
        "shopee_managed",
        "details",
        "synced_at",
        "stale",
        "ended_at",
        "ended_by",
        "deleted_at",
        "deleted_by",
    ]
    readonly_fields = ["status_detail", "shop_times"]

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False  # promotions come from Shopee's lists, not from this form

    def has_change_permission(self, request, obj=None):
        return False  # Shopee is the source of truth; records are read-only here

    def has_delete_permission(self, request, obj=None):
        return False  # records are never deleted here (deleting at Shopee is a run's)

    def get_search_results(self, request, queryset, search_term):
        """An id uses an index; words of the name are a scan of the filtered list."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_id(term):
            return queryset.filter(Q(promotion_id=parse_id(term)) | Q(name__icontains=term)), False
        return queryset.filter(name__icontains=term), False

    @admin.display(description=_("name"), ordering="name")
    def name_label(self, obj):
        return truncated(obj.name)

    @admin.display(description=_("managed by Shopee"))
    def managed_label(self, obj):
        if not obj.shopee_managed:
            return ""
        reason = kind_named(obj.kind).skip_shopee_managed
        return badge("shopee", gettext("Shopee"), title=gettext(reason))

    @admin.display(description=_("status"))
    def status_detail(self, obj):
        return status_badge(obj)
