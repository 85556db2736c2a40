"""The background workers' heartbeat, read by the health check."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker process (`worker_id`): when it last beat (`beat_at`, every 15 s from
    its own thread; see ops.services.worker). `requested_at` is no longer used: the health
    check once queued heartbeat tasks instead."""

    requested_at = models.DateTimeField(verbose_name=_("requested at"), null=True, blank=True)
    beat_at = models.DateTimeField(verbose_name=_("beat at"), null=True, blank=True)
    worker_id = models.CharField(verbose_name=_("worker id"), max_length=64, blank=True)

    class Meta:
        db_table = "vouchers_workerheartbeat"  # the table it had in the vouchers app
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return gettext("Worker heartbeat at %(time)s") % {"time": self.beat_at}
