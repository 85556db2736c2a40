"""What Shopee told us by push, and the pushes we refused.

`ShopeePush` is the log of every push we took: one row per push received at `/shopee/push/`
with our partner key's signature and readable, and per lost push fetched by `maintain_shops`,
written once by `shops.services.push` and never changed (on PostgreSQL a trigger refuses
updates and deletes). It keeps what an auditor needs: when, from where, the push code, the shop,
the body (secrets removed) and what shopadmin did about it.

`RejectedPush` is where every push we answered with an error goes (no or wrong signature, a
malformed or oversized body, Shopee settings missing): anyone can send those, so a row keeps
only what an investigation needs (time, source address, size, SHA-256 and a 64-byte prefix of
the body, why), a few hundred bytes whatever was sent, and `manage.py prune` deletes rows older
than `PUSH_REJECTED_RETENTION_DAYS`. They live in their own table, rather than as prunable rows
of the push log, so that the push log's trigger stays without any way to delete: a flaw in a
"delete only rejected rows" rule would open the audit trail itself.

The `Authorization` header (a signature) is never stored.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REJECTED_PREFIX_BYTES = 64
REJECTED_DETAIL_CHARS = 200


class PushSource(models.TextChoices):
    PUSH = "push", _("Pushed by Shopee")
    LOST = "lost_push", _("Fetched as a lost push")


class PushOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFICATION = "verification", _("Verification push answered")
    IGNORED = "ignored", _("Ignored (nothing to do)")
    DUPLICATE = "duplicate", _("Duplicate (already received)")
    MALFORMED = "malformed", _("Malformed body")


class ShopeePush(models.Model):
    received_at = models.DateTimeField(
        verbose_name=_("received at"), auto_now_add=True, db_index=True
    )
    source = models.CharField(
        verbose_name=_("source"), max_length=16, choices=PushSource, default=PushSource.PUSH
    )
    remote_addr = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    signature_valid = models.BooleanField(_("signature valid"), default=False)
    code = models.IntegerField(_("push code"), null=True, blank=True)
    shop_shopee_id = models.BigIntegerField(_("Shopee shop id"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("Shopee's timestamp"), null=True, blank=True)
    outcome = models.CharField(verbose_name=_("outcome"), max_length=16, choices=PushOutcome)
    detail = models.TextField(_("what shopadmin did"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("our answer (HTTP)"), null=True, blank=True)
    body = models.JSONField(_("body (secrets removed)"), null=True, blank=True)
    body_excerpt = models.TextField(_("body that is not JSON (excerpt)"), blank=True)
    fingerprint = models.CharField(
        verbose_name=_("fingerprint"), max_length=64, blank=True, db_index=True
    )

    class Meta:
        db_table = "vouchers_shopeepush"  # the table it had in the vouchers app
        ordering = ["-received_at", "-id"]
        verbose_name = _("Shopee push")
        verbose_name_plural = _("Shopee pushes")
        indexes = [
            models.Index(fields=["shop_shopee_id", "-received_at"], name="push_shop_idx"),
            models.Index(fields=["outcome", "-received_at"], name="push_outcome_idx"),
        ]

    def __str__(self):
        code = "?" if self.code is None else self.code
        return gettext("Push code %(code)s at %(time)s") % {
            "code": code,
            "time": f"{self.received_at:%Y-%m-%d %H:%M:%S}",
        }


class RejectReason(models.TextChoices):
    SIGNATURE = "signature", _("Bad or missing signature")
    MALFORMED = "malformed", _("Malformed body")
    TOO_LARGE = "too_large", _("Body too large")
    UNAVAILABLE = "unavailable", _("Not configured")


class RejectedPush(models.Model):
    received_at = models.DateTimeField(
        verbose_name=_("received at"), default=timezone.now, db_index=True
    )
    remote_addr = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    reason = models.CharField(verbose_name=_("reason"), max_length=16, choices=RejectReason)
    http_status = models.PositiveSmallIntegerField(_("our answer (HTTP)"))
    detail = models.CharField(_("why"), max_length=REJECTED_DETAIL_CHARS, blank=True)
    body_size = models.PositiveIntegerField(_("body size (bytes)"), null=True, blank=True)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64, blank=True)
    body_prefix = models.CharField(_("body prefix"), max_length=REJECTED_PREFIX_BYTES, blank=True)

    class Meta:
        db_table = "vouchers_rejectedpush"  # the table it had in the vouchers app
        ordering = ["-received_at", "-id"]
        verbose_name = _("rejected Shopee push")
        verbose_name_plural = _("rejected Shopee pushes")

    def __str__(self):
        return gettext("Rejected push at %(time)s") % {
            "time": f"{self.received_at:%Y-%m-%d %H:%M:%S}"
        }
