"""Voucher pages and the "End selected vouchers" action.

The action (on the changelist and on a voucher's own page) only shows the confirmation page,
in the manner of Django's `delete_selected`. The confirmation posts to `end_view`, a view of our
own: Django runs change-form POSTs inside a transaction, and no transaction may be held across
a call to Shopee.
"""

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from vouchers.admin.paging import CappedCountPaginator
from vouchers.models import Voucher
from vouchers.models.voucher import VoucherStatus
from vouchers.services.ending import vouchers_end_bulk, vouchers_end_plan
from vouchers.shopee.config import load_config
from vouchers.shopee.errors import ShopeeConfigError

MAX_LISTED = 200  # rows listed on the confirmation page per group; counts cover all
MAX_PROBLEMS_REPORTED = 20


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
        return self._confirmation(request, queryset, next_url=request.get_full_path())

    def get_urls(self):
        view = self.admin_site.admin_view(self.end_view)
        return [path("end/", view, name="vouchers_voucher_end"), *super().get_urls()]

    def end_view(self, request):
        """Confirmed ending: call Shopee outside any transaction, then report the outcome."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_end_voucher_permission(request):
            raise PermissionDenied
        ids = [value for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)]
        if not all(value.isdigit() for value in ids):
            self.message_user(request, "The selection was not valid. Nothing was ended.", "error")
            return HttpResponseRedirect(self._changelist_url())
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = self._changelist_url()
        queryset = self.get_queryset(request).filter(pk__in=ids)
        try:
            report = vouchers_end_bulk(vouchers=queryset, actor=request.user)
        except ShopeeConfigError as error:
            self.message_user(request, f"Nothing was ended: {error.message}", messages.ERROR)
            return HttpResponseRedirect(next_url)
        self._report(request, report)
        return HttpResponseRedirect(next_url)

    def _confirmation(self, request, queryset, *, next_url):
        plan = vouchers_end_plan(vouchers=queryset)
        try:
            load_config()
            config_error = ""
        except ShopeeConfigError as error:
            config_error = error.message
        context = {
            **self.admin_site.each_context(request),
            "title": "End vouchers on Shopee?",
            "subtitle": None,
            "opts": self.opts,
            "plan": plan,
            "endable_listed": plan.endable[:MAX_LISTED],
            "skipped_listed": plan.skipped[:MAX_LISTED],
            "selected_ids": [v.pk for v in plan.endable] + [v.pk for v, _ in plan.skipped],
            "config_error": config_error,
            "end_url": reverse("admin:vouchers_voucher_end"),
            "next_url": next_url,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/vouchers/voucher/end_confirmation.html", context)

    def _report(self, request, report):
        ended = len(report.ended)
        refused = sum(1 for outcome in report.not_ended if outcome.called)
        not_sent = sum(1 for outcome in report.not_ended if not outcome.called)
        log_url = reverse("admin:vouchers_shopeecall_changelist") + f"?batch_id={report.batch_id}"
        summary = (
            f"Ended {ended} voucher{'s' if ended != 1 else ''}. "
            f"Not ended: {refused} refused or failed at Shopee, {not_sent} not sent. "
            f"Skipped: {len(report.skipped)}."
        )
        level = messages.SUCCESS if not report.not_ended else messages.WARNING
        self.message_user(
            request,
            format_html('{} <a href="{}">See the calls of this run</a>.', summary, log_url),
            level,
        )
        for outcome in report.not_ended[:MAX_PROBLEMS_REPORTED]:
            voucher = outcome.voucher
            where = f"{voucher.voucher_code or voucher.voucher_id} ({voucher.shop.name})"
            if outcome.called:
                text = f"{where}: Shopee said “{outcome.message}” [{outcome.error}]"
                if outcome.request_id:
                    text += f", request_id {outcome.request_id}"
            else:
                text = f"{where}: {outcome.message}"
            self.message_user(request, text, messages.ERROR)
        hidden = len(report.not_ended) - MAX_PROBLEMS_REPORTED
        if hidden > 0:
            self.message_user(
                request, f"…and {hidden} more not ended: see the call log.", messages.ERROR
            )

    def _changelist_url(self):
        return reverse("admin:vouchers_voucher_changelist")
