"""Shop pages: add a shop, paste its tokens (never shown back), sync its vouchers."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.admin.jobs import job_url
from jobs.models import JobKind
from jobs.services.create import shop_job_create
from ops.tasks import shop_job_enqueue
from runs.admin import campaign, rules
from shopadmin.paging import CheckedQuery
from shops.admin.columns import ShopColumns
from shops.admin.connect import connect_callback, connect_start
from shops.models import AUTHORIZATION_WARNING, Shop
from shops.services.access import sees_all_shops, visible
from shops.services.shops import SHOP_ID_FIXED, shop_save, shop_tokens_set

ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=4)


class NeedsReauthFilter(admin.SimpleListFilter):
    title = _("needs re-authorization")
    parameter_name = "needs_reauth"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(needs_reauth_since__isnull=self.value() == "no")
        return queryset


class ShopForm(forms.ModelForm):
    """The shop's fields plus write-only token fields: tokens are taken, never displayed."""

    access_token = forms.CharField(
        label=_("access token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Paste a new access token to replace the stored one. Leave empty to keep it."),
    )
    access_token_expires_at = forms.SplitDateTimeField(
        label=_("access token expires at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("When the pasted access token expires (default: 4 hours from now)."),
    )
    refresh_token = forms.CharField(
        label=_("refresh token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Paste a new refresh token to replace the stored one. Leave empty to keep it."),
    )

    class Meta:
        model = Shop
        fields = ["name", "shop_id", "region"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("refresh_token") and not cleaned.get("access_token"):
            self.add_error(
                "access_token", _("Paste the access token that goes with this refresh token.")
            )
        return cleaned


@admin.register(Shop)
class ShopAdmin(ShopColumns, CheckedQuery, admin.ModelAdmin):
    form = ShopForm
    # What staff act on, fitting a 1366 px laptop; the rest is on the shop's page.
    list_display = [
        "name_label",
        "shop_id",
        "region",
        "connection",
        "authorization",
        "token_status",
        "synced",
    ]
    search_fields = ["name", "=shop_id", "=main_account_id"]
    list_filter = ["region", NeedsReauthFilter, "main_account_id"]
    # Shops needing re-authorization first: they are what staff must act on.
    ordering = [F("needs_reauth_since").desc(nulls_last=True), "name"]
    readonly_fields = [
        "connection",
        "authorization",
        "token_status",
        "main_account_id",
        "merchant_id",
        "authorized_at",
        "authorization_expires_at",
        "authorization_checked_at",
        "vouchers_synced_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "shop_id", "region", "connection"]}),
        (
            _("Authorization"),
            {
                "fields": [
                    "authorization",
                    "main_account_id",
                    "merchant_id",
                    "authorized_at",
                    "authorization_expires_at",
                    "authorization_checked_at",
                ]
            },
        ),
        (
            _("API tokens"),
            {
                "fields": [
                    "token_status",
                    "access_token",
                    "access_token_expires_at",
                    "refresh_token",
                ]
            },
        ),
        (_("History"), {"fields": ["vouchers_synced_at", "created_at", "updated_at"]}),
    ]
    actions = ["sync_vouchers", "check_authorizations", "end_by_rule", "stop_campaign"]

    def get_queryset(self, request):
        shops = super().get_queryset(request).select_related("token")
        return visible(shops, request.user, shop_field="pk")

    def get_readonly_fields(self, request, obj=None):
        """A shop's Shopee id is fixed once it exists (shops.services.shops.shop_save)."""
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else [*fields, "shop_id"]

    def has_add_permission(self, request):
        """Adding by hand (pasting tokens) is for staff who see every shop; a team member adds
        a shop by connecting it, i.e. by Shopee's authorization of it."""
        return super().has_add_permission(request) and sees_all_shops(request.user)

    def may_connect(self, request):
        """Connecting needs the add or change permission, team member or not."""
        add = f"{self.opts.app_label}.add_{self.opts.model_name}"
        return request.user.has_perm(add) or self.has_change_permission(request)

    def get_urls(self):
        def guarded(view):
            def wrapper(request):
                if not self.may_connect(request):
                    raise PermissionDenied
                return view(self, request)

            return self.admin_site.admin_view(wrapper)

        return [
            path("connect/", guarded(connect_start), name="shops_shop_connect"),
            path(
                "connect/callback/",
                guarded(connect_callback),
                name="shops_shop_connect_callback",
            ),
            path(
                "end-by-rule/",
                self.admin_site.admin_view(self.end_rule_view),
                name="shops_shop_end_rule",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        mine = self.get_queryset(request)
        expiring = [
            shop
            for shop in mine.filter(needs_reauth_since__isnull=True, token__isnull=False)
            .filter(
                Q(authorization_expires_at__lte=now + AUTHORIZATION_WARNING)
                | Q(authorization_expiry_notice_at__isnull=False)
            )
            .order_by("authorization_expires_at")
        ]
        extra_context = {
            "may_connect": self.may_connect(request),
            "shops_needing_reauth": mine.filter(needs_reauth_since__isnull=False),
            "shops_expiring": [(shop, shop.authorization_days_left(now)) for shop in expiring],
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        posted_id = request.POST.get("shop_id", "").strip()
        if change and posted_id and posted_id != str(obj.shop_id):
            self.message_user(request, SHOP_ID_FIXED, messages.WARNING)
        shop_save(shop=obj, user=request.user)
        access_token = form.cleaned_data.get("access_token")
        if access_token:
            shop_tokens_set(
                shop=obj,
                access_token=access_token,
                refresh_token=form.cleaned_data.get("refresh_token", ""),
                access_token_expires_at=form.cleaned_data.get("access_token_expires_at")
                or timezone.now() + ACCESS_TOKEN_LIFETIME,
            )

    def has_end_voucher_permission(self, request):
        return request.user.has_perm("vouchers.end_voucher")

    @admin.action(description=_("Stop a campaign in these shops"), permissions=["stop_campaign"])
    def stop_campaign(self, request, queryset):
        """Every kind of promotion of these shops (runs.admin.campaign): its form, then a read."""
        return campaign.stop_campaign(self, request, queryset)

    def has_stop_campaign_permission(self, request):
        return campaign.may_stop_campaign(request.user)

    def end_rule_view(self, request):
        return rules.rule_view(self, request)

    @admin.action(
        description=_("End all ongoing vouchers of these shops (by rule)"),
        permissions=["end_voucher"],
    )
    def end_by_rule(self, request, queryset):
        """The rule's page; the run resolves the vouchers from Shopee when it starts."""
        return rules.rule_page(self, request, list(queryset.order_by("name")))

    @admin.action(description=_("Check authorizations at Shopee"), permissions=["change"])
    def check_authorizations(self, request, queryset):
        """A background job reads Shopee's list; its page says what it found."""
        return self._start_job(request, JobKind.AUTHORIZATIONS, queryset)

    @admin.action(description=_("Sync vouchers from Shopee"), permissions=["change"])
    def sync_vouchers(self, request, queryset):
        """A background job reads the shops' lists side by side; its page fills in per shop."""
        return self._start_job(request, JobKind.SYNC, queryset)

    def _start_job(self, request, kind, queryset):
        job = shop_job_create(kind=kind, actor=request.user, shops=list(queryset))
        shop_job_enqueue(job_id=job.pk)
        return HttpResponseRedirect(job_url(job))
