"""The Shopee call log: read-only for everyone, searchable, exportable as CSV."""

import csv
import json
import re
import unicodedata

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin.filters import ActorFilter, ErrorFilter, RunFilter
from audit.models import ShopeeCall
from core.cells import badge, truncated
from core.parsing import is_id, parse_id
from core.times import utc_offset
from runs.models import EndRun
from shopadmin.paging import (
    CappedCountPaginator,
    CheckedDateFieldListFilter,
    CheckedQuery,
)
from shops.admin.filters import VisibleShopFilter
from shops.services.access import visible

REQUEST_ID = re.compile(r"^[0-9a-fA-F]{16,64}$")
FORMULA_STARTS = ("=", "+", "-", "@")

CSV_COLUMNS = [
    ("started_at", "time (UTC)"),
    ("actor_username", "actor"),
    ("shop_shopee_id", "shop id"),
    ("shop_name", "shop"),
    ("voucher_shopee_id", "voucher id"),
    ("voucher_code", "voucher code"),
    ("method", "method"),
    ("endpoint", "endpoint"),
    ("attempt", "attempt"),
    ("outcome", "outcome"),
    ("error_kind", "error kind"),
    ("http_status", "HTTP status"),
    ("request_id", "request_id"),
    ("error", "error"),
    ("message", "message"),
    ("duration_ms", "duration (ms)"),
    ("batch_id", "batch"),
]


def seconds_with_offset(moment) -> str:
    """A call's moment to the second, in the site's time zone with its UTC offset."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'Y-m-d H:i:s')} {utc_offset(local)}"


class Echo:
    """A write-only file whose write returns the line, for streaming csv output."""

    def write(self, value):
        return value


def csv_safe(value):
    """Text a spreadsheet will not run as a formula: a cell whose first character other than
    white space is `= + - @` or a compatibility form of one (full-width `＝ ＋ － ＠`, small
    forms), or that starts with a tab or CR, gets a leading apostrophe. Spreadsheets skip
    leading spaces before a formula, so the check looks past them."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    first = text.lstrip()[:1]
    if text[:1] in ("\t", "\r") or unicodedata.normalize("NFKC", first) in FORMULA_STARTS:
        return "'" + text
    return text


@admin.register(ShopeeCall)
class ShopeeCallAdmin(CheckedQuery, admin.ModelAdmin):
    # Who did what to which voucher and how Shopee answered, fitting a 1366 px laptop; the
    # duration, attempt and the request and answer are on the call's page.
    list_display = [
        "started",
        "outcome_label",
        "api",
        "voucher_label",
        "shop_label",
        "actor_username",
        "request_label",
    ]
    list_filter = [
        RunFilter,
        "outcome",
        ErrorFilter,
        "error_kind",
        ("shop", VisibleShopFilter),
        ("actor", ActorFilter),
        ("started_at", CheckedDateFieldListFilter),
    ]
    search_fields = ["request_id"]  # see get_search_results
    search_help_text = _(
        "Search by Shopee request_id, voucher id, shop id or words of the message."
    )
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = None
    fields = [
        "started",
        "finished",
        "duration_ms",
        "actor_username",
        "shop_label",
        "voucher_label",
        "run_link",
        "method",
        "endpoint",
        "attempt",
        "outcome",
        "error_kind",
        "http_status",
        "request_id",
        "error",
        "message",
        "request_pretty",
        "response_pretty",
    ]
    readonly_fields = fields
    object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        raise PermissionDenied  # rows never change: there is no history to show

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("time"), ordering="started_at")
    def started(self, obj):
        return format_html('<span class="nowrap">{}</span>', seconds_with_offset(obj.started_at))

    @admin.display(description=_("finished"))
    def finished(self, obj):
        if obj.finished_at is None:
            return gettext("No answer recorded (the process may have stopped during the call).")
        return seconds_with_offset(obj.finished_at)

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_label(self, obj):
        """The outcome as a badge, Shopee's error code under it."""
        label = badge(obj.outcome, obj.get_outcome_display())
        if not obj.error:
            return label
        return format_html(
            '{} <span class="cell-note">{}</span>', label, truncated(obj.error, css="cell-id")
        )

    @admin.display(description="request_id", ordering="request_id")
    def request_label(self, obj):
        return truncated(obj.request_id, css="cell-id") if obj.request_id else "-"

    @admin.display(description="API", ordering="endpoint")
    def api(self, obj):
        return f"{obj.method} {obj.endpoint.removeprefix('/api/v2/')}"

    @admin.display(description=_("run"))
    def run_link(self, obj):
        run = EndRun.objects.filter(public_id=obj.batch_id).first() if obj.batch_id else None
        if run is None:
            return "—"
        url = reverse("admin:runs_endrun_change", args=[run.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Run %(run)s") % {"run": run.pk})

    @admin.display(description=_("shop"), ordering="shop_name")
    def shop_label(self, obj):
        if obj.shop_shopee_id is None:
            return "—"
        if not obj.shop_name:
            return obj.shop_shopee_id
        return truncated(f"{obj.shop_name} ({obj.shop_shopee_id})", css="cell-shop")

    @admin.display(description=_("voucher"))
    def voucher_label(self, obj):
        if obj.voucher_shopee_id is None:
            return "—"
        code = f"{obj.voucher_code} " if obj.voucher_code else ""
        return f"{code}({obj.voucher_shopee_id})"

    @admin.display(description=_("request (secrets removed)"))
    def request_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.request, indent=2, sort_keys=True))

    @admin.display(description=_("response (secrets removed)"))
    def response_pretty(self, obj):
        if obj.response is None:
            return "No answer recorded."
        return format_html("<pre>{}</pre>", json.dumps(obj.response, indent=2, sort_keys=True))

    def get_search_results(self, request, queryset, search_term):
        """Exact, indexed matches for ids; words of the message otherwise."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_id(term):
            number = parse_id(term)
            return queryset.filter(Q(voucher_shopee_id=number) | Q(shop_shopee_id=number)), False
        if REQUEST_ID.match(term):
            return queryset.filter(request_id=term.lower()), False
        return queryset.filter(Q(message__icontains=term) | Q(voucher_code=term)), False

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv_view)
        return [path("export/", export, name="audit_shopeecall_export"), *super().get_urls()]

    def export_csv_view(self, request):
        """The changelist's filtered rows as CSV, streamed so the size does not matter."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, gettext("Those filters are not valid."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:audit_shopeecall_changelist"))
        queryset = changelist.get_queryset(request)
        writer = csv.writer(Echo())
        rows = (
            writer.writerow([csv_safe(getattr(call, name)) for name, _ in CSV_COLUMNS])
            for call in queryset.iterator(chunk_size=2000)
        )
        header = writer.writerow([label for _, label in CSV_COLUMNS])
        response = StreamingHttpResponse(_chain(header, rows), content_type="text/csv")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="shopee-calls-{stamp}.csv"'
        return response


def _chain(first, rest):
    yield first
    yield from rest
