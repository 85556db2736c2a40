"""The background workers' heartbeat, read by the health check."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row: when a heartbeat task was last asked for, and when a worker last ran one."""

    requested_at = models.DateTimeField(null=True, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"Worker heartbeat at {self.beat_at}"
