"""Health of the deployment: the database answers, a background worker is alive, Shopee answers.

Each worker process beats by itself (`heartbeat_record()`, every BEAT_EVERY from a thread of
`manage.py db_worker`, see ops.services.worker) into its own `WorkerHeartbeat` row, so
liveness never depends on a probe arriving: a worker counts as alive while its last beat is at
most ALIVE_FOR old. A dead worker therefore turns `/health/` to 503 within ALIVE_FOR (plus one
probe interval), and the first probe after a quiet spell sees the beats of the workers running.

Shopee's reachability is a separate reading, from the call log (no live call per probe): it does
not make `/health/` unhealthy, since restarting our processes cannot fix Shopee.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.utils import timezone

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from ops.models import WorkerHeartbeat

BEAT_EVERY = dt.timedelta(seconds=15)
ALIVE_FOR = dt.timedelta(seconds=60)
# Rows of workers silent this long are deleted when a worker starts (each process has its own).
FORGET_AFTER = dt.timedelta(days=1)
# Shopee's reading: the last SHOPEE_CALLS finished calls of the last SHOPEE_WINDOW.
SHOPEE_CALLS = 10
SHOPEE_WINDOW = dt.timedelta(minutes=10)


@dataclass
class HealthReport:
    database: str
    worker: str
    shopee: str = "unknown"
    last_beat: dt.datetime | None = None
    workers_alive: int = 0

    @property
    def healthy(self):
        return self.database == "ok" and self.worker == "ok"


def health_check() -> HealthReport:
    """What `/health/` reports; never raises on a database error (that is the report)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        now = timezone.now()
        last_beat = (
            WorkerHeartbeat.objects.filter(beat_at__isnull=False)
            .order_by("-beat_at")
            .values_list("beat_at", flat=True)
            .first()
        )
        alive = WorkerHeartbeat.objects.filter(beat_at__gte=now - ALIVE_FOR).count()
        shopee = shopee_reachability(now=now)
    except DatabaseError as error:
        return HealthReport(database=f"error: {type(error).__name__}", worker="unknown")
    if alive:
        worker = "ok"
    elif last_beat is None:
        worker = "no heartbeat yet"
    else:
        worker = f"no heartbeat for over {int(ALIVE_FOR.total_seconds())} seconds"
    return HealthReport(
        database="ok", worker=worker, shopee=shopee, last_beat=last_beat, workers_alive=alive
    )


def shopee_reachability(*, now=None) -> str:
    """ "ok" when one of the last SHOPEE_CALLS finished calls of the last SHOPEE_WINDOW got an
    answer from Shopee (a success or a refusal), "unreachable" when every one failed without a
    usable answer (network error, timeout, 5xx), "unknown" when no call was made lately."""
    now = now or timezone.now()
    outcomes = list(
        ShopeeCall.objects.filter(started_at__gte=now - SHOPEE_WINDOW)
        .exclude(outcome=CallOutcome.PENDING)
        .order_by("-started_at", "-id")
        .values_list("outcome", flat=True)[:SHOPEE_CALLS]
    )
    if not outcomes:
        return "unknown"
    return "unreachable" if set(outcomes) == {CallOutcome.FAILED} else "ok"


def heartbeat_record(*, worker_id: str = "") -> None:
    """Record that worker `worker_id` is alive now (its own row)."""
    worker_id = worker_id[:64]
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now())
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id, beat_at=timezone.now())


def heartbeats_forget() -> int:
    """Delete the rows of workers silent for FORGET_AFTER (a worker process has its own row)."""
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()
    return deleted
