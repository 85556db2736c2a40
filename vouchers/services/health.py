"""Health of the deployment: the database answers, and a background worker runs tasks.

Workers have no heartbeat of their own, so the health check asks for one: when the last beat is
older than a minute it queues a tiny heartbeat task (one at a time, whatever the number of web
processes asking), and reports the worker as alive while a beat is at most three minutes old.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from vouchers.models import WorkerHeartbeat

BEAT_EVERY = dt.timedelta(seconds=60)
ALIVE_FOR = dt.timedelta(seconds=180)


@dataclass
class HealthReport:
    database: str
    worker: str
    last_beat: dt.datetime | None = None

    @property
    def healthy(self):
        return self.database == "ok" and self.worker == "ok"


def health_check() -> HealthReport:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return HealthReport(database=f"error: {type(error).__name__}", worker="unknown")
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.get_or_create(pk=1)
    asked = (
        WorkerHeartbeat.objects.filter(pk=1)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - BEAT_EVERY))
        .update(requested_at=now)
    )
    if asked:
        from vouchers.tasks import heartbeat_task

        heartbeat_task.enqueue()
    if beat.beat_at and beat.beat_at >= now - ALIVE_FOR:
        return HealthReport(database="ok", worker="ok", last_beat=beat.beat_at)
    state = "no heartbeat yet" if beat.beat_at is None else "no heartbeat for over 3 minutes"
    return HealthReport(database="ok", worker=state, last_beat=beat.beat_at)


def heartbeat_record(*, worker_id: str = "") -> None:
    """Called by the heartbeat task, in a worker."""
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"beat_at": timezone.now(), "worker_id": worker_id[:64]}
    )
