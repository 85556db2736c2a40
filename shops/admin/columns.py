"""The shop list's and shop page's computed columns: connection, authorization and token as
badges, times with their zone's UTC offset, the last sync in words."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.cells import badge, truncated
from core.regions import region_zone
from core.times import ago, with_offset


class ShopColumns:
    """Mixed into ShopAdmin: each method is a column of the list or a field of the page."""

    @admin.display(description=_("authorization ends"), ordering="authorization_expires_at")
    def authorization(self, obj):
        ends = obj.authorization_expires_at
        if ends is None:
            return gettext("Unknown")
        when = date_format(timezone.localtime(ends), "DATE_FORMAT")
        if obj.needs_reauth:
            return when
        days = obj.authorization_days_left()
        if obj.authorization_expiring():
            if days == 0:
                expires = gettext("(expires today)")
            else:
                expires = ngettext(
                    "(expires in %(days)s day)", "(expires in %(days)s days)", days
                ) % {"days": days}
            return format_html(
                '{} <strong class="auth-expiring shop-alert">{}</strong>',
                when,
                expires,
            )
        return when

    @admin.display(description=_("name"), ordering="name")
    def name_label(self, obj):
        return truncated(obj.name, css="cell-shop")

    @admin.display(description=_("connection"))
    def connection(self, obj):
        if obj.needs_reauth:
            return format_html(
                '{} <span class="cell-note">{}</span>',
                badge("reauth", gettext("Needs re-authorization")),
                obj.needs_reauth_reason,
            )
        if getattr(obj, "token", None):
            return badge("valid", gettext("Connected"))
        return badge("none", gettext("Not connected"))

    @admin.display(description=_("access token"))
    def token_status(self, obj):
        token = getattr(obj, "token", None) if obj and obj.pk else None
        if token is None or not token.access_token:
            return badge("none", gettext("Not connected: no token yet"))
        if token.access_token_expires_at is None:
            return badge("none", gettext("Stored (expiry unknown)"))
        when = with_offset(token.access_token_expires_at, region_zone(obj.region))
        if token.access_token_expired:
            return format_html(
                '{} <span class="cell-note">{}</span>',
                badge("expired-token", gettext("Expired")),
                gettext("at %(when)s") % {"when": when},
            )
        return format_html(
            '{} <span class="cell-note">{}</span>',
            badge("valid", gettext("Valid")),
            gettext("until %(when)s") % {"when": when},
        )

    @admin.display(description=_("vouchers synced"), ordering="vouchers_synced_at")
    def synced(self, obj):
        if obj.vouchers_synced_at is None:
            return gettext("never")
        return format_html(
            '<span title="{}">{}</span>',
            with_offset(obj.vouchers_synced_at),
            ago(obj.vouchers_synced_at),
        )
