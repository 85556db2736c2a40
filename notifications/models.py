"""Each user's choice of mails, and the shop alerts already sent today."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    """What one user wants to be told by email. A user without a row gets every mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    runs = models.BooleanField(
        _("my runs"),
        default=True,
        help_text=_("When a run I started finishes, stops or is canceled."),
    )
    shop_alerts = models.BooleanField(
        _("shop alerts"),
        default=True,
        help_text=_(
            "When a shop of my team needs re-authorization or its authorization ends "
            "within 7 days (at most once a day per shop)."
        ),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        db_table = "vouchers_notificationsettings"  # the table it had in the vouchers app
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return gettext("Notifications of %(user)s") % {"user": self.user}


class ShopAlertKind(models.TextChoices):
    NEEDS_REAUTH = "needs_reauth", _("Needs re-authorization")
    EXPIRING = "expiring", _("Authorization ends soon")


class ShopAlertSent(models.Model):
    """One shop alert of one kind on one day: the unique row is the claim to send it, so that
    several workers and repeated calls send it once."""

    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=ShopAlertKind)
    day = models.DateField(
        verbose_name=_("day"),
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(verbose_name=_("recipients"), default=0)

    class Meta:
        db_table = "vouchers_shopalertsent"  # the table it had in the vouchers app
        verbose_name = _("shop alert sent")
        verbose_name_plural = _("shop alerts sent")
        constraints = [
            models.UniqueConstraint(fields=["shop", "kind", "day"], name="shop_alert_once_a_day")
        ]

    def __str__(self):
        return gettext("%(kind)s: shop %(shop)s on %(day)s") % {
            "kind": self.get_kind_display(),
            "shop": self.shop_id,
            "day": self.day,
        }
