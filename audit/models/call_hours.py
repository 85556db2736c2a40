"""The dashboard's hourly summary of the Shopee call log (see ops.services.call_hours).

One row per settled hour and shop: how many calls started in that hour, how many were refused
and how many failed. Counted once from the call log, when a dashboard first needs an hour that
has settled (ended long enough ago that its calls have their outcome), so that the dashboard
reads a few thousand rows whatever the size of the log. A marker row (`shop_key` SETTLED) says an
hour is counted, even one without calls. Derived data: deleting rows only makes them counted again.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SETTLED = -1  # shop_key of an hour's marker row
NO_SHOP = 0  # shop_key of calls without a shop (partner-level calls)


class CallHour(models.Model):
    hour = models.DateTimeField(
        verbose_name=_("hour"),
    )
    shop_key = models.BigIntegerField(
        verbose_name=_("shop key"),
    )  # the shop's pk, NO_SHOP or SETTLED
    calls = models.PositiveIntegerField(verbose_name=_("calls"), default=0)
    refused = models.PositiveIntegerField(verbose_name=_("refused"), default=0)
    failed = models.PositiveIntegerField(verbose_name=_("failed"), default=0)

    class Meta:
        db_table = "vouchers_callhour"  # the table it had in the vouchers app
        verbose_name = _("call hour")
        verbose_name_plural = _("call hours")
        constraints = [
            models.UniqueConstraint(fields=["hour", "shop_key"], name="callhour_unique"),
        ]

    def __str__(self):
        return gettext("%(hour)s shop %(shop)s: %(calls)s calls") % {
            "hour": f"{self.hour:%Y-%m-%d %H:00}",
            "shop": self.shop_key,
            "calls": self.calls,
        }
