"""Voucher pages and the "End selected vouchers" action.

The action (on the changelist and on a voucher's own page) only shows the confirmation page,
in the manner of Django's `delete_selected`. The confirmation posts to `end_view`, a view of our
own, which creates a background run (vouchers.admin.ending). "Import CSV to end vouchers" reads
a file of shop and voucher ids or codes and shows the same confirmation for the vouchers found,
its invalid rows listed above it.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from core.cells import badge, truncated
from core.parsing import is_id, parse_id
from runs.services.create import skip_reason
from shopadmin.paging import CappedCountPaginator, CheckedQuery
from shops.admin.filters import VisibleShopFilter
from shops.services.access import visible
from vouchers.admin import csv_upload, ending
from vouchers.admin.records import RecordColumns, StatusFilter, status_badge
from vouchers.models import Voucher
from vouchers.services.kinds.voucher import SKIP_SHOPEE_MANAGED


class EndedFilter(admin.SimpleListFilter):
    title = _("ended through shopadmin")
    parameter_name = "ended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "no")
        return queryset


@admin.register(Voucher)
class VoucherAdmin(RecordColumns, CheckedQuery, admin.ModelAdmin):
    # What a merchandiser decides on, fitting a 1366 px laptop; the rest is on the voucher's page.
    list_display = [
        "voucher_code",
        "name_label",
        "status_label",
        "shop_label",
        "shop_times",
        "managed_label",
    ]
    list_filter = [
        StatusFilter,
        ("shop", VisibleShopFilter),
        "voucher_purpose",
        "is_admin",
        EndedFilter,
    ]
    search_fields = ["voucher_code"]  # see get_search_results
    search_help_text = _("Search by voucher id, code (or its beginning) or words of the name.")
    list_select_related = ["shop"]
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["end_selected_vouchers"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status_detail",
                    "voucher_code",
                    "voucher_name",
                    "shop",
                    "voucher_id",
                    "shop_times",
                    "voucher_purpose",
                    "is_admin",
                ]
            },
        ),
        (
            _("Discount"),
            {
                "fields": [
                    "voucher_type",
                    "reward_type",
                    "discount_amount",
                    "percentage",
                    "min_basket_price",
                    "max_price",
                    "usage_quantity",
                    "current_usage",
                    "display_start_time",
                ]
            },
        ),
        (
            _("History"),
            {"fields": ["synced_at", "ended_at", "ended_by", "deleted_at", "deleted_by"]},
        ),
    ]
    readonly_fields = ["status_detail", "shop_times"]

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False  # vouchers come from Shopee (Sync vouchers), not from this form

    def has_change_permission(self, request, obj=None):
        return False  # Shopee is the source of truth; records are read-only here

    def has_delete_permission(self, request, obj=None):
        # Records are never deleted here: "delete_voucher" lets staff delete upcoming vouchers
        # at Shopee from the confirmation page (see has_shopee_delete_permission).
        return False

    def has_shopee_delete_permission(self, request):
        return request.user.has_perm("vouchers.delete_voucher")

    def get_search_results(self, request, queryset, search_term):
        """An id or a code uses an index; words of the name are a scan of the filtered list."""
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q(voucher_code__istartswith=term) | Q(voucher_name__icontains=term)
        if is_id(term):
            matches = Q(voucher_id=parse_id(term)) | Q(voucher_code=term)
        return queryset.filter(matches), False

    def has_end_voucher_permission(self, request):
        return request.user.has_perm("vouchers.end_voucher")

    @admin.display(description=_("name"), ordering="voucher_name")
    def name_label(self, obj):
        return truncated(obj.voucher_name)

    @admin.display(description=_("managed by Shopee"))
    def managed_label(self, obj):
        if not obj.shopee_managed:
            return ""
        return badge("shopee", gettext("Shopee"), title=gettext(SKIP_SHOPEE_MANAGED))

    @admin.display(description=_("status"))
    def status_detail(self, obj):
        """The status, and whether a run ending it now would end it or why it would skip it
        (the runs' own skip reasons, from the same SQL)."""
        reason = (
            Voucher.objects.filter(pk=obj.pk)
            .annotate(skip=skip_reason(timezone.now()))
            .values_list("skip", flat=True)
            .first()
        )
        if reason:
            verdict = format_html(
                '<span class="voucher-cannot-end">{} {}</span>',
                gettext("It cannot be ended:"),
                gettext(reason),
            )
        else:
            verdict = format_html(
                '<span class="voucher-can-end">{}</span>',
                gettext("It can be ended."),
            )
        return format_html('{} <span id="voucher-verdict">{}</span>', status_badge(obj), verdict)

    @admin.action(
        description=_("End selected vouchers"),
        permissions=["end_voucher"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def end_selected_vouchers(self, request, queryset):
        """Show what would be ended and skipped; the confirmation posts to `end_view`."""
        return ending.confirmation(
            self,
            request,
            queryset,
            selection=ending.Selection.from_action(request),
            next_url=request.get_full_path(),
        )

    def response_action(self, request, queryset, *args, **kwargs):
        """Django's, except that checkbox values must be ids (Django's own filter on them fails
        with a server error on ``²``, a number beyond 64 bits or an empty value)."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(is_id(value) for value in selected):
            self.message_user(
                request, gettext("The selection was not valid. Nothing was ended."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        can_end = self.has_end_voucher_permission(request)
        shop = request.GET.get("shop__id__exact", "")
        rule_url = ""
        if can_end and is_id(shop):
            rule_url = f"{reverse('admin:shops_shop_end_rule')}?{urlencode({'shop': shop})}"
        extra_context = {
            "rule_url": rule_url,
            "title": gettext("Select vouchers to end") if can_end else gettext("Vouchers"),
            "has_end_voucher_permission": can_end,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        end = self.admin_site.admin_view(self.end_view)
        # CSRF is checked inside, once the upload's size limit is in place (csv_upload.py).
        csv_import = self.admin_site.admin_view(csrf_exempt(self.import_view))
        return [
            path("end/", end, name="vouchers_voucher_end"),
            path("import/", csv_import, name="vouchers_voucher_import"),
            *super().get_urls(),
        ]

    def end_view(self, request):
        """The confirmed selection: create a run (Shopee is called by the worker)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_end_voucher_permission(request):
            raise PermissionDenied
        return ending.confirmed(self, request)

    def import_view(self, request):
        """Upload a CSV; its vouchers go to the confirmation page (vouchers.admin.csv_upload,
        which stops an upload over the limit while it is read)."""
        return csv_upload.import_view(self, request)
