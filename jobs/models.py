"""Shop jobs: work over many shops that runs in the background, with a page of its own.

Connecting a shop or a main account (then each shop's details and a first sync), "Sync vouchers
from Shopee" and "Check authorizations at Shopee" take time proportional to the shops: a web
request only creates the job and its rows (one per shop); a worker does the calls
(jobs.services) and each row fills in as its shop is done. What staff are told at the
end is derived from the rows when the page is shown, in the reader's language.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    CONNECT = "connect", _("Connect: shop details and first sync")
    SYNC = "sync", _("Sync vouchers from Shopee")
    AUTHORIZATIONS = "authorizations", _("Check authorizations at Shopee")
    CAMPAIGN = "campaign", _("Stop a campaign: read Shopee's lists")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class RowState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    NOT_LISTED = "not_listed", _("Not authorized at Shopee any more")


class ConnectChange(models.TextChoices):
    NONE = "", ""
    ADDED = "added", _("Added")
    RECONNECTED = "reconnected", _("Reconnected")


class ShopJob(models.Model):
    public_id = models.UUIDField(
        verbose_name=_("public id"), default=uuid.uuid4, unique=True, editable=False
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=JobKind)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_by_username = models.CharField(_("started by"), max_length=150)
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=JobStatus, default=JobStatus.QUEUED
    )
    started_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)
    # Set when a connection was made through a main account (the page links to its shops).
    main_account_id = models.BigIntegerField(
        verbose_name=_("main account id"), null=True, blank=True
    )
    # Why the whole job failed (a configuration error, Shopee's list unreadable), in Shopee's
    # words; per-shop failures are on the rows.
    error = models.TextField(verbose_name=_("error"), blank=True)
    # What a check of authorizations found beyond the rows: {"listed": n, "not_connected": [ids]}.
    outcome = models.JSONField(verbose_name=_("outcome"), default=dict, blank=True)
    # One processor at a time, under a lease it renews; a watchdog task resumes the job when the
    # processor died (jobs.services.process).
    lease_owner = models.CharField(verbose_name=_("lease owner"), max_length=32, blank=True)
    lease_until = models.DateTimeField(verbose_name=_("lease until"), null=True, blank=True)
    watchdog_at = models.DateTimeField(verbose_name=_("watchdog at"), null=True, blank=True)

    class Meta:
        db_table = "vouchers_shopjob"  # the table it had in the vouchers app
        ordering = ["-created_at", "-id"]
        verbose_name = _("shop job")
        verbose_name_plural = _("shop jobs")
        indexes = [models.Index(fields=["status", "-created_at"], name="shopjob_status_idx")]

    def __str__(self):
        return gettext("Job %(job)s: %(kind)s (%(status)s)") % {
            "job": self.pk,
            "kind": self.get_kind_display(),
            "status": self.get_status_display(),
        }

    @property
    def active(self):
        return self.status in ACTIVE_JOB_STATUSES


class ShopJobRow(models.Model):
    """One shop of a job: what is known of it and what the job did for it."""

    job = models.ForeignKey(
        ShopJob, verbose_name=_("job"), on_delete=models.CASCADE, related_name="rows"
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shop_shopee_id = models.BigIntegerField(
        verbose_name=_("shop shopee id"),
    )
    shop_name = models.CharField(
        verbose_name=_("shop name"), max_length=200, blank=True, help_text=_("The name as known.")
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=RowState, default=RowState.PENDING
    )
    connect_change = models.CharField(
        verbose_name=_("connect change"),
        max_length=16,
        choices=ConnectChange,
        default=ConnectChange.NONE,
        blank=True,
    )
    info_at = models.DateTimeField(_("details fetched"), null=True, blank=True)
    created = models.PositiveIntegerField(verbose_name=_("created"), default=0)
    updated = models.PositiveIntegerField(verbose_name=_("updated"), default=0)
    pages = models.PositiveIntegerField(verbose_name=_("pages"), default=0)
    # A failure in Shopee's (or shopadmin's) words; `unavailable`: no call could be made for the
    # shop (not connected, needs re-authorization) and `error` is the whole sentence.
    error = models.TextField(verbose_name=_("error"), blank=True)
    unavailable = models.BooleanField(verbose_name=_("unavailable"), default=False)
    # A campaign read (jobs.services.campaign_read): per kind read, what Shopee listed and
    # whether the read failed: {kind: {"listed": {"<id>": status}, "error": "", "read_at": iso}}.
    found = models.JSONField(verbose_name=_("found"), default=dict, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "vouchers_shopjobrow"  # the table it had in the vouchers app
        verbose_name = _("shop job row")
        verbose_name_plural = _("shop job rows")
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "state"], name="shopjobrow_state_idx")]

    def __str__(self):
        return f"{self.shop_name} ({self.shop_shopee_id}): {self.get_state_display()}"

    @property
    def vouchers(self):
        return self.created + self.updated
