"""Voucher pages and the "End selected vouchers" action.

The action (on the changelist and on a voucher's own page) only shows the confirmation page,
in the manner of Django's `delete_selected`. The confirmation posts to `end_view`, a view of our
own, which creates a background run (vouchers.admin.ending). "Import CSV to end vouchers" reads
a file of shop and voucher ids or codes and shows the same confirmation for the vouchers found,
its invalid rows listed above it.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vouchers.admin import ending
from vouchers.admin.filters import VisibleShopFilter
from vouchers.admin.paging import CappedCountPaginator, CheckedQuery
from vouchers.models import Voucher
from vouchers.models.voucher import VoucherStatus
from vouchers.parsing import is_id, parse_id
from vouchers.regions import region_time
from vouchers.services.access import shops_visible, visible
from vouchers.services.runs.csv_import import MAX_BYTES, vouchers_from_csv
from vouchers.services.runs.selection import selection_save, selection_vouchers


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return VoucherStatus.choices

    def queryset(self, request, queryset):
        if self.value() in VoucherStatus.values:
            return queryset.with_status(self.value())
        return queryset


class EndedFilter(admin.SimpleListFilter):
    title = _("ended through shopadmin")
    parameter_name = "ended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "no")
        return queryset


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("At most {mb} MB, UTF-8, comma or semicolon separated."),
            mb=MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return file


@admin.register(Voucher)
class VoucherAdmin(CheckedQuery, admin.ModelAdmin):
    list_display = [
        "voucher_code",
        "status_label",
        "end_time",
        "shop",
        "shop_times",
        "voucher_name",
        "start_time",
        "voucher_purpose",
        "is_admin",
        "ended_by",
        "voucher_id",
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
    list_select_related = ["shop", "ended_by"]
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["end_selected_vouchers"]

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

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.status.label

    @admin.display(description=_("in the shop's time"))
    def shop_times(self, obj):
        region = obj.shop.region
        return format_html(
            '<span style="white-space: nowrap">{}</span><br>'
            '<span style="white-space: nowrap">→ {}</span>',
            region_time(obj.start_time, region),
            region_time(obj.end_time, region),
        )

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
            rule_url = f"{reverse('admin:vouchers_shop_end_rule')}?{urlencode({'shop': shop})}"
        extra_context = {
            "rule_url": rule_url,
            "title": gettext("Select vouchers to end") if can_end else gettext("Vouchers"),
            "has_end_voucher_permission": can_end,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        end = self.admin_site.admin_view(self.end_view)
        csv_import = self.admin_site.admin_view(self.import_view)
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
        """Upload a CSV; its vouchers go to the confirmation page, nothing is ended here."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_end_voucher_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST, request.FILES) if request.method == "POST" else None
        result = None
        if form is not None and form.is_valid():
            upload = form.cleaned_data["file"]
            result = vouchers_from_csv(data=upload.read(), shops=shops_visible(request.user))
            if result.voucher_ids:
                saved = selection_save(
                    voucher_ids=result.voucher_ids,
                    actor=request.user,
                    description=f"the CSV file {upload.name}",
                )
                return ending.confirmation(
                    self,
                    request,
                    selection_vouchers(saved),
                    selection=ending.Selection(saved=saved),
                    next_url=reverse("admin:vouchers_voucher_changelist"),
                    extra_context={
                        "import_errors": result.errors,
                        "import_summary": result.summary,
                    },
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import CSV to end vouchers"),
            "subtitle": None,
            "opts": self.opts,
            "form": form or CsvImportForm(),
            "import_errors": result.errors if result else [],
            "import_summary": result.summary if result else "",
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/vouchers/voucher/csv_import.html", context)
