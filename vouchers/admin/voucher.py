"""Voucher pages and the "End selected vouchers" action.

The action (on the changelist and on a voucher's own page) only shows the confirmation page,
in the manner of Django's `delete_selected`. The confirmation posts to `end_view`, a view of our
own, which creates a background run (vouchers.admin.ending).
"""

from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.urls import path

from vouchers.admin import ending
from vouchers.admin.paging import CappedCountPaginator
from vouchers.models import Voucher
from vouchers.models.voucher import VoucherStatus


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return VoucherStatus.choices

    def queryset(self, request, queryset):
        if self.value() in VoucherStatus.values:
            return queryset.with_status(self.value())
        return queryset


class EndedFilter(admin.SimpleListFilter):
    title = "ended through shopadmin"
    parameter_name = "ended"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "no")
        return queryset


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = [
        "voucher_code",
        "voucher_name",
        "shop",
        "voucher_id",
        "status_label",
        "start_time",
        "end_time",
        "voucher_purpose",
        "is_admin",
        "ended_by",
    ]
    list_filter = [StatusFilter, "shop", "voucher_purpose", "is_admin", EndedFilter]
    search_fields = ["voucher_code", "voucher_name", "=voucher_id"]
    list_select_related = ["shop", "ended_by"]
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["end_selected_vouchers"]

    def has_add_permission(self, request):
        return False  # vouchers come from Shopee (Sync vouchers), not from this form

    def has_change_permission(self, request, obj=None):
        return False  # Shopee is the source of truth; records are read-only here

    def has_end_voucher_permission(self, request):
        return request.user.has_perm("vouchers.end_voucher")

    @admin.display(description="status")
    def status_label(self, obj):
        return obj.status.label

    @admin.action(
        description="End selected vouchers",
        permissions=["end_voucher"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def end_selected_vouchers(self, request, queryset):
        """Show what would be ended and skipped; the confirmation posts to `end_view`."""
        ids, filters = ending.selection_from_action(request)
        return ending.confirmation(
            self, request, queryset, ids=ids, filters=filters, next_url=request.get_full_path()
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.end_view)
        return [path("end/", view, name="vouchers_voucher_end"), *super().get_urls()]

    def end_view(self, request):
        """The confirmed selection: create a run (Shopee is called by the worker)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_end_voucher_permission(request):
            raise PermissionDenied
        return ending.confirmed(self, request)
