"""The audit log of every call made to Shopee.

One row per HTTP attempt. The row is written as `pending` before the request leaves and completed
after the answer (or failure) arrives, so a process that dies mid-call still leaves a trace.
Actor, shop and voucher are kept as snapshots too, so rows survive deletes. Request and response
are stored with every secret (partner key, tokens, sign, authorization code) removed.
Rows are written only by `audit.services.calls`; nobody edits or deletes them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CallOutcome(models.TextChoices):
    PENDING = "pending", _("No answer recorded")
    SUCCESS = "success", _("Success")
    REFUSED = "refused", _("Refused by Shopee")
    FAILED = "failed", _("Failed (no usable answer)")


class ErrorKind(models.TextChoices):
    """How a failure should be handled (see shopee-api.md section 6)."""

    CONFIGURATION = "configuration", _("Configuration")
    AUTHORIZATION = "authorization", _("Authorization")
    RATE_LIMIT = "rate_limit", _("Rate limit")
    TRANSIENT = "transient", _("Transient")
    BUSINESS = "business", _("Business rule")


class ShopeeCall(models.Model):
    # Indexed by call_recent_idx and call_hourly_idx, which lead with it. The indexes each row
    # is written to are the cost of recording a call: none is kept that another one covers.
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # call_actor_idx (actor, -started_at) serves its lookups
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)

    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # call_shop_idx (shop, -started_at) serves its lookups
    )
    shop_shopee_id = models.BigIntegerField(_("Shopee shop id"), null=True, blank=True)
    shop_name = models.CharField(verbose_name=_("shop name"), max_length=200, blank=True)

    voucher = models.ForeignKey(
        "vouchers.Voucher",
        verbose_name=_("voucher"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    voucher_shopee_id = models.BigIntegerField(_("Shopee voucher id"), null=True, blank=True)
    voucher_code = models.CharField(verbose_name=_("voucher code"), max_length=100, blank=True)

    batch_id = models.UUIDField(verbose_name=_("batch id"), null=True, blank=True)
    endpoint = models.CharField(verbose_name=_("endpoint"), max_length=100)
    method = models.CharField(verbose_name=_("method"), max_length=8)
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"), default=1)

    outcome = models.CharField(
        verbose_name=_("outcome"), max_length=16, choices=CallOutcome, default=CallOutcome.PENDING
    )
    error_kind = models.CharField(
        verbose_name=_("error kind"), max_length=16, choices=ErrorKind, blank=True
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    request_id = models.CharField(_("Shopee request_id"), max_length=64, blank=True)
    error = models.CharField(verbose_name=_("error"), max_length=100, blank=True)
    message = models.TextField(verbose_name=_("message"), blank=True)
    request = models.JSONField(_("request (redacted)"), default=dict)
    response = models.JSONField(_("response (redacted)"), null=True, blank=True)

    class Meta:
        db_table = "vouchers_shopeecall"  # the table it had in the vouchers app
        ordering = ["-started_at", "-id"]
        verbose_name = _("Shopee call")
        verbose_name_plural = _("Shopee calls")
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_recent_idx"),
            models.Index(fields=["outcome", "-started_at"], name="call_outcome_idx"),
            models.Index(fields=["error", "-started_at"], name="call_error_idx"),
            models.Index(fields=["shop", "-started_at"], name="call_shop_idx"),
            models.Index(fields=["actor", "-started_at"], name="call_actor_idx"),
            models.Index(fields=["request_id"], name="call_request_id_idx"),
            models.Index(fields=["voucher_shopee_id"], name="call_voucher_id_idx"),
            models.Index(fields=["shop_shopee_id", "-started_at"], name="call_shop_id_idx"),
            models.Index(fields=["batch_id"], name="call_batch_idx"),
            # The dashboard's calls and errors per hour: counted from this index alone.
            models.Index(fields=["started_at", "shop", "outcome"], name="call_hourly_idx"),
        ]

    def __str__(self):
        return gettext("%(method)s %(endpoint)s at %(time)s") % {
            "method": self.method,
            "endpoint": self.endpoint,
            "time": f"{self.started_at:%Y-%m-%d %H:%M:%S}",
        }
