"""The background workers' heartbeat, read by the health check."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process (`worker_id`): when it last beat (`beat_at`, every 15 s from
    its own thread; see ops.services.worker). `requested_at` is no longer used: the health
    check once queued heartbeat tasks instead."""

    requested_at = models.DateTimeField(null=True, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "vouchers_workerheartbeat"  # the table it had in the vouchers app

    def __str__(self):
        return f"Worker heartbeat at {self.beat_at}"
