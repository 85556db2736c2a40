"""Runs: one confirmed "End selected vouchers", processed in the background.

A run has one item per selected voucher. Items move from `pending` to a final state (`ended`,
`refused`, `failed`, `skipped`, `canceled`); `sending` marks an item whose end_voucher request
may have reached Shopee without our knowing the answer: it is reconciled with get_voucher
before anything is sent again. Counts are derived from the items, never stored.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELED = "canceled", _("Canceled")
    STOPPED = "stopped", _("Stopped (configuration error)")


ACTIVE_RUN_STATUSES = (RunStatus.SCHEDULED, RunStatus.QUEUED, RunStatus.RUNNING)


class ItemState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sent, answer not yet recorded")
    ENDED = "ended", _("Ended")
    DELETED = "deleted", _("Deleted at Shopee")
    RESCHEDULED = "rescheduled", _("End time set at Shopee")
    REFUSED = "refused", _("Refused by Shopee")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    CANCELED = "canceled", _("Canceled")


OPEN_ITEM_STATES = (ItemState.PENDING, ItemState.SENDING)


class ItemAction(models.TextChoices):
    END = "end", _("End (end_voucher)")
    DELETE = "delete", _("Delete (delete_voucher)")
    SET_END = "set_end", _("Set the end time at Shopee (update_voucher)")
    DISABLE = "disable", _("Switch off (update_shop_flash_sale)")


class EndRun(models.Model):
    public_id = models.UUIDField(
        verbose_name=_("public id"), default=uuid.uuid4, unique=True, editable=False
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_by_username = models.CharField(_("started by"), max_length=150)
    selection = models.CharField(
        verbose_name=_("selection"), max_length=500, help_text=_("What was selected, in words.")
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=RunStatus, default=RunStatus.QUEUED
    )
    end_at = models.DateTimeField(_("end at"), null=True, blank=True)
    started_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)
    stop_reason = models.TextField(verbose_name=_("stop reason"), blank=True)
    # What the run covers besides its items: a rule resolved from Shopee's current lists
    # ({"shops": [shop pks], "code_prefix": str, "name_contains": str}), deleting the upcoming
    # vouchers too, and an end time to set at Shopee itself (update_voucher).
    rule = models.JSONField(verbose_name=_("rule"), null=True, blank=True)
    delete_upcoming = models.BooleanField(_("also delete upcoming vouchers"), default=False)
    shopee_end_time = models.DateTimeField(_("end time set at Shopee"), null=True, blank=True)
    # When Shopee's current lists of the run's shops were read, and each shop's result.
    read_at = models.DateTimeField(_("Shopee's lists read"), null=True, blank=True)
    read_report = models.JSONField(verbose_name=_("read report"), default=list, blank=True)
    # One processor at a time: a lease renewed while it works (see services.runs.engine).
    lease_owner = models.CharField(verbose_name=_("lease owner"), max_length=32, blank=True)
    lease_until = models.DateTimeField(verbose_name=_("lease until"), null=True, blank=True)
    # When the pending watchdog task runs: it resumes the run if its processor died.
    watchdog_at = models.DateTimeField(verbose_name=_("watchdog at"), null=True, blank=True)
    # Since when Shopee has failed every call (network errors, 5xx): the run waits and probes.
    shopee_down_since = models.DateTimeField(_("waiting for Shopee since"), null=True, blank=True)

    class Meta:
        db_table = "vouchers_endrun"  # the table it had in the vouchers app
        ordering = ["-created_at", "-id"]
        verbose_name = _("end-vouchers run")
        verbose_name_plural = _("end-vouchers runs")
        indexes = [models.Index(fields=["status", "-created_at"], name="run_status_idx")]

    def __str__(self):
        return gettext("Run %(run)s by %(user)s (%(status)s)") % {
            "run": self.pk,
            "user": self.created_by_username,
            "status": self.get_status_display(),
        }

    @property
    def active(self):
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def is_campaign(self):
        """A run that stops a campaign: its rule names kinds of promotion."""
        return bool(self.rule and self.rule.get("kinds"))


class EndRunItem(models.Model):
    run = models.ForeignKey(
        EndRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="items"
    )
    voucher = models.ForeignKey(
        "vouchers.Voucher",
        verbose_name=_("voucher"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The kind of promotion (a kind plug-in's `name`); its record is `voucher` for vouchers and
    # `promotion` for every other kind. `voucher_shopee_id` holds Shopee's id of whatever the
    # item is, `voucher_code` the code or name staff know it by.
    kind = models.CharField(verbose_name=_("kind"), max_length=20, default="voucher")
    promotion = models.ForeignKey(
        "promotions.Promotion",
        verbose_name=_("promotion"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    voucher_shopee_id = models.BigIntegerField(
        verbose_name=_("voucher shopee id"),
    )
    voucher_code = models.CharField(verbose_name=_("voucher code"), max_length=100, blank=True)
    original_end_time = models.DateTimeField(
        verbose_name=_("original end time"), help_text=_("The voucher's end time when selected.")
    )
    action = models.CharField(
        verbose_name=_("action"), max_length=16, choices=ItemAction, default=ItemAction.END
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=ItemState, default=ItemState.PENDING
    )
    read_at = models.DateTimeField(_("Shopee's word read at"), null=True, blank=True)
    reason = models.TextField(
        verbose_name=_("reason"), blank=True, help_text=_("Why skipped, or Shopee's words.")
    )
    error = models.CharField(verbose_name=_("error"), max_length=100, blank=True)
    request_id = models.CharField(verbose_name=_("request id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "vouchers_endrunitem"  # the table it had in the vouchers app
        verbose_name = _("run item")
        verbose_name_plural = _("run items")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["run", "state"], name="runitem_state_idx"),
            models.Index(fields=["run", "shop", "state"], name="runitem_shop_idx"),
        ]

    def __str__(self):
        return f"{self.voucher_code or self.voucher_shopee_id}: {self.get_state_display()}"


class VoucherSelection(models.Model):
    """A selection kept on the server between an import and its confirmation, so that a
    confirmation page posts a reference instead of thousands of ids."""

    public_id = models.UUIDField(
        verbose_name=_("public id"), default=uuid.uuid4, unique=True, editable=False
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    description = models.CharField(verbose_name=_("description"), max_length=200)
    vouchers = models.ManyToManyField(
        "vouchers.Voucher",
        verbose_name=_("vouchers"),
        related_name="+",
        db_table="vouchers_voucherselection_vouchers",
    )

    class Meta:
        db_table = "vouchers_voucherselection"  # the table it had in the vouchers app
        verbose_name = _("voucher selection")
        verbose_name_plural = _("voucher selections")

    def __str__(self):
        return self.description
