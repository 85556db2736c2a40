"""What the voucher list and the promotions list show alike of a record mirrored from Shopee
(`vouchers.models.timed.ShopeeRecord`): its status as a badge, its shop, its times in the shop's
zone, and the status filter (upcoming, ongoing, expired, by its times)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.cells import badge, truncated
from core.regions import region_time
from vouchers.models.timed import TimedStatus

STATUS_WORDS = {
    "ended": _("Ended"),
    "deleted": _("Deleted"),
    **dict(TimedStatus.choices),
}


def record_state(record) -> str:
    """upcoming, ongoing or expired by its times; ended or deleted when done through shopadmin."""
    if record.deleted_at is not None:
        return "deleted"
    if record.ended_at is not None:
        return "ended"
    return str(record.status.value)


def status_badge(record):
    state = record_state(record)
    return badge(state, STATUS_WORDS[state])


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return TimedStatus.choices

    def queryset(self, request, queryset):
        if self.value() in TimedStatus.values:
            return queryset.with_status(self.value())
        return queryset


class RecordColumns:
    """The list columns a ModelAdmin of records shares; `status_badge` may be overridden."""

    status_badge = staticmethod(status_badge)

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return self.status_badge(obj)

    @admin.display(description=_("shop"), ordering="shop__name")
    def shop_label(self, obj):
        return truncated(obj.shop.name, css="cell-shop")

    @admin.display(description=_("start → end (shop's time)"))
    def shop_times(self, obj):
        region = obj.shop.region
        return format_html(
            '<span class="nowrap">{}</span><br><span class="nowrap">→ {}</span>',
            region_time(obj.start_time, region),
            region_time(obj.end_time, region),
        )
