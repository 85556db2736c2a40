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
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=JobKind)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_username = models.CharField("started by", max_length=150)
    status = models.CharField(max_length=16, choices=JobStatus, default=JobStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when a connection was made through a main account (the page links to its shops).
    main_account_id = models.BigIntegerField(null=True, blank=True)
    # Why the whole job failed (a configuration error, Shopee's list unreadable), in Shopee's
    # words; per-shop failures are on the rows.
    error = models.TextField(blank=True)
    # What a check of authorizations found beyond the rows: {"listed": n, "not_connected": [ids]}.
    outcome = models.JSONField(default=dict, blank=True)
    # One processor at a time, under a lease it renews; a watchdog task resumes the job when the
    # processor died (jobs.services.process).
    lease_owner = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    watchdog_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "vouchers_shopjob"  # the table it had in the vouchers app
        ordering = ["-created_at", "-id"]
        verbose_name = _("shop job")
        verbose_name_plural = _("shop jobs")
        indexes = [models.Index(fields=["status", "-created_at"], name="shopjob_status_idx")]

    def __str__(self):
        return f"Job {self.pk}: {self.get_kind_display()} ({self.get_status_display()})"

    @property
    def active(self):
        return self.status in ACTIVE_JOB_STATUSES


class ShopJobRow(models.Model):
    """One shop of a job: what is known of it and what the job did for it."""

    job = models.ForeignKey(ShopJob, on_delete=models.CASCADE, related_name="rows")
    shop = models.ForeignKey("shops.Shop", on_delete=models.SET_NULL, null=True, related_name="+")
    shop_shopee_id = models.BigIntegerField()
    shop_name = models.CharField(max_length=200, blank=True, help_text=_("The name as known."))
    state = models.CharField(max_length=16, choices=RowState, default=RowState.PENDING)
    connect_change = models.CharField(
        max_length=16, choices=ConnectChange, default=ConnectChange.NONE, blank=True
    )
    info_at = models.DateTimeField("details fetched", null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    # A failure in Shopee's (or shopadmin's) words; `unavailable`: no call could be made for the
    # shop (not connected, needs re-authorization) and `error` is the whole sentence.
    error = models.TextField(blank=True)
    unavailable = models.BooleanField(default=False)
    # A campaign read (jobs.services.campaign_read): per kind read, what Shopee listed and
    # whether the read failed: {kind: {"listed": {"<id>": status}, "error": "", "read_at": iso}}.
    found = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "vouchers_shopjobrow"  # the table it had in the vouchers app
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "state"], name="shopjobrow_state_idx")]

    def __str__(self):
        return f"{self.shop_name} ({self.shop_shopee_id}): {self.get_state_display()}"

    @property
    def vouchers(self):
        return self.created + self.updated
