"""What every promotion record mirrored from Shopee shares, whatever its kind.

Its status follows from its start and end time (upcoming: now < start; ongoing: start <= now <
end; expired: now >= end) and is derived, never stored. Its writes through shopadmin are
recorded (who ended or deleted it, and when), and a write in progress is claimed: the run item
holding the right to end, delete, re-time or switch it off (one at a time, across runs), and
when such a request was sent whose answer is not yet recorded (see `runs.services.steps`).
`vouchers.Voucher` and `promotions.Promotion` both build on these.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimedStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    ONGOING = "ongoing", _("Ongoing")
    EXPIRED = "expired", _("Expired")


class TimedQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(start_time__gt=now or timezone.now())

    def ongoing(self, now=None):
        now = now or timezone.now()
        return self.filter(start_time__lte=now, end_time__gt=now)

    def expired(self, now=None):
        return self.filter(end_time__lte=now or timezone.now())

    def with_status(self, status, now=None):
        return {
            TimedStatus.UPCOMING: self.upcoming,
            TimedStatus.ONGOING: self.ongoing,
            TimedStatus.EXPIRED: self.expired,
        }[TimedStatus(status)](now)


def writer_indexes(prefix: str) -> list:
    """Indexes of who ended and who deleted a record, holding only the records someone did:
    nearly every record has neither, and a full index on each would be written for every
    record a sync saves."""
    return [
        models.Index(
            fields=[name],
            condition=models.Q(**{f"{name}__isnull": False}),
            name=f"{prefix}_{name}_idx",
        )
        for name in ("ended_by", "deleted_by")
    ]


class ShopeeRecord(models.Model):
    """The times, the writes made through shopadmin and the write claim of a record."""

    start_time = models.DateTimeField(_("start time"))
    end_time = models.DateTimeField(_("end time"))

    ended_at = models.DateTimeField(_("ended through shopadmin"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # writer_indexes(): only the records someone ended
    )
    deleted_at = models.DateTimeField(
        _("deleted at Shopee through shopadmin"), null=True, blank=True
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # writer_indexes(): only the records someone deleted
    )
    end_claim_item = models.BigIntegerField(
        verbose_name=_("end claim item"), null=True, blank=True, editable=False
    )
    end_claim_until = models.DateTimeField(
        verbose_name=_("end claim until"), null=True, blank=True, editable=False
    )
    end_sent_at = models.DateTimeField(
        verbose_name=_("end sent at"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def status_at(self, now=None):
        """Upcoming, ongoing or expired by its times (as Shopee's lists file it)."""
        now = now or timezone.now()
        if now < self.start_time:
            return TimedStatus.UPCOMING
        if now < self.end_time:
            return TimedStatus.ONGOING
        return TimedStatus.EXPIRED

    @property
    def status(self):
        return self.status_at()
