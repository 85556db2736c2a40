"""The log of every push Shopee sent us (or that we fetched as lost), valid or not.

One row per push received at `/shopee/push/` and per lost push fetched by `maintain_shops`,
written once by `vouchers.services.push` and never changed (on PostgreSQL a trigger refuses
updates and deletes). It keeps what an auditor needs: when, from where, whether the signature
was right, the push code, the shop, the body (secrets removed) and what shopadmin did about it.
The `Authorization` header (a signature) is never stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSource(models.TextChoices):
    PUSH = "push", _("Pushed by Shopee")
    LOST = "lost_push", _("Fetched as a lost push")


class PushOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFICATION = "verification", _("Verification push answered")
    IGNORED = "ignored", _("Ignored (nothing to do)")
    DUPLICATE = "duplicate", _("Duplicate (already received)")
    REFUSED = "refused", _("Refused (bad or missing signature)")
    MALFORMED = "malformed", _("Malformed body")
    UNAVAILABLE = "unavailable", _("Not configured")


class ShopeePush(models.Model):
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=16, choices=PushSource, default=PushSource.PUSH)
    remote_addr = models.GenericIPAddressField("sent from", null=True, blank=True)
    signature_valid = models.BooleanField("signature valid", default=False)
    code = models.IntegerField("push code", null=True, blank=True)
    shop_shopee_id = models.BigIntegerField("Shopee shop id", null=True, blank=True)
    pushed_at = models.DateTimeField("Shopee's timestamp", null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=PushOutcome)
    detail = models.TextField("what shopadmin did", blank=True)
    http_status = models.PositiveSmallIntegerField("our answer (HTTP)", null=True, blank=True)
    body = models.JSONField("body (secrets removed)", null=True, blank=True)
    body_excerpt = models.TextField("body that is not JSON (excerpt)", blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Shopee push")
        verbose_name_plural = _("Shopee pushes")
        indexes = [
            models.Index(fields=["shop_shopee_id", "-received_at"], name="push_shop_idx"),
            models.Index(fields=["outcome", "-received_at"], name="push_outcome_idx"),
        ]

    def __str__(self):
        code = "?" if self.code is None else self.code
        return f"Push code {code} at {self.received_at:%Y-%m-%d %H:%M:%S}"
