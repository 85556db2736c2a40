"""The Shopee push log and the rejected pushes: read-only for everyone, for auditors."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import ShopeePush
from audit.models.pushes import RejectedPush
from shopadmin.paging import CappedCountPaginator, CheckedDateFieldListFilter, CheckedQuery
from shops.services.access import sees_all_shops, shops_visible


@admin.register(ShopeePush)
class ShopeePushAdmin(CheckedQuery, admin.ModelAdmin):
    list_display = [
        "received_at",
        "source",
        "code",
        "shop_shopee_id",
        "outcome",
        "signature_valid",
        "detail",
    ]
    list_filter = [
        "outcome",
        "code",
        "source",
        "signature_valid",
        ("received_at", CheckedDateFieldListFilter),
    ]
    search_fields = ["=shop_shopee_id", "detail", "=fingerprint"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    fields = [
        "received_at",
        "source",
        "remote_addr",
        "signature_valid",
        "code",
        "shop_shopee_id",
        "pushed_at",
        "outcome",
        "detail",
        "http_status",
        "body_pretty",
        "body_excerpt",
        "fingerprint",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        pushes = super().get_queryset(request)
        if sees_all_shops(request.user):
            return pushes
        return pushes.filter(shop_shopee_id__in=shops_visible(request.user).values("shop_id"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("body (secrets removed)"))
    def body_pretty(self, obj):
        if obj.body is None:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(obj.body, indent=2, sort_keys=True))


@admin.register(RejectedPush)
class RejectedPushAdmin(CheckedQuery, admin.ModelAdmin):
    """Pushes we refused (anyone can send them): size, hash and prefix only, pruned after
    PUSH_REJECTED_RETENTION_DAYS. Shown to those who see every shop, since no shop vouches for
    them."""

    list_display = ["received_at", "reason", "http_status", "remote_addr", "body_size", "detail"]
    list_filter = ["reason", ("received_at", CheckedDateFieldListFilter)]
    search_fields = ["=body_sha256"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    fields = [
        "received_at",
        "remote_addr",
        "reason",
        "http_status",
        "detail",
        "body_size",
        "body_sha256",
        "body_prefix",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        rejected = super().get_queryset(request)
        return rejected if sees_all_shops(request.user) else rejected.none()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
