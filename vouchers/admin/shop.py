"""Shop pages: add a shop, paste its tokens (never shown back), sync its vouchers."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from vouchers.admin.connect import connect_callback, connect_start
from vouchers.models import Shop
from vouchers.services.shops import ShopUnavailable, shop_tokens_set
from vouchers.services.sync import shop_vouchers_sync
from vouchers.shopee.errors import ShopeeError

ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=4)


class NeedsReauthFilter(admin.SimpleListFilter):
    title = "needs re-authorization"
    parameter_name = "needs_reauth"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(needs_reauth_since__isnull=self.value() == "no")
        return queryset


class ShopForm(forms.ModelForm):
    """The shop's fields plus write-only token fields: tokens are taken, never displayed."""

    access_token = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Paste a new access token to replace the stored one. Leave empty to keep it.",
    )
    access_token_expires_at = forms.SplitDateTimeField(
        required=False,
        widget=AdminSplitDateTime,
        help_text="When the pasted access token expires (default: 4 hours from now).",
    )
    refresh_token = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Paste a new refresh token to replace the stored one. Leave empty to keep it.",
    )

    class Meta:
        model = Shop
        fields = ["name", "shop_id", "region"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("refresh_token") and not cleaned.get("access_token"):
            self.add_error(
                "access_token", "Paste the access token that goes with this refresh token."
            )
        return cleaned


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    form = ShopForm
    list_display = [
        "name",
        "shop_id",
        "region",
        "connection",
        "token_status",
        "vouchers_synced_at",
    ]
    search_fields = ["name", "=shop_id"]
    list_filter = ["region", NeedsReauthFilter]
    readonly_fields = [
        "connection",
        "token_status",
        "authorization_expires_at",
        "vouchers_synced_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "shop_id", "region", "connection", "authorization_expires_at"]}),
        (
            "API tokens",
            {
                "fields": [
                    "token_status",
                    "access_token",
                    "access_token_expires_at",
                    "refresh_token",
                ]
            },
        ),
        ("History", {"fields": ["vouchers_synced_at", "created_at", "updated_at"]}),
    ]
    actions = ["sync_vouchers"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("token")

    def get_urls(self):
        def guarded(view):
            def wrapper(request):
                if not (self.has_add_permission(request) or self.has_change_permission(request)):
                    raise PermissionDenied
                return view(self, request)

            return self.admin_site.admin_view(wrapper)

        return [
            path("connect/", guarded(connect_start), name="vouchers_shop_connect"),
            path(
                "connect/callback/",
                guarded(connect_callback),
                name="vouchers_shop_connect_callback",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "shops_needing_reauth": Shop.objects.filter(needs_reauth_since__isnull=False),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="connection")
    def connection(self, obj):
        if obj.needs_reauth:
            return format_html(
                '<strong style="color: var(--error-fg)">Needs re-authorization</strong> ({})',
                obj.needs_reauth_reason,
            )
        return "Connected" if getattr(obj, "token", None) else "Not connected"

    @admin.display(description="access token")
    def token_status(self, obj):
        token = getattr(obj, "token", None) if obj and obj.pk else None
        if token is None or not token.access_token:
            return "Not connected: no token yet"
        if token.access_token_expires_at is None:
            return "Stored (expiry unknown)"
        when = date_format(timezone.localtime(token.access_token_expires_at), "DATETIME_FORMAT")
        if token.access_token_expired:
            return f"Expired at {when}"
        return f"Valid until {when}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        access_token = form.cleaned_data.get("access_token")
        if access_token:
            shop_tokens_set(
                shop=obj,
                access_token=access_token,
                refresh_token=form.cleaned_data.get("refresh_token", ""),
                access_token_expires_at=form.cleaned_data.get("access_token_expires_at")
                or timezone.now() + ACCESS_TOKEN_LIFETIME,
            )

    @admin.action(description="Sync vouchers from Shopee", permissions=["change"])
    def sync_vouchers(self, request, queryset):
        for shop in queryset:
            try:
                result = shop_vouchers_sync(shop=shop, actor=request.user)
            except ShopUnavailable as error:
                self.message_user(request, str(error), messages.ERROR)
            except ShopeeError as error:
                self.message_user(request, f"{shop}: sync failed: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{shop}: {result.created} new and {result.updated} updated vouchers "
                    f"({result.pages} page{'s' if result.pages != 1 else ''}).",
                    messages.SUCCESS,
                )
