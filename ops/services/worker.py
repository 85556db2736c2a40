"""A django-tasks-db worker that rides out a database outage and beats by itself.

`manage.py db_worker` (ours, ops/management/commands/db_worker.py, which takes the place of
django-tasks-db's command of the same name and takes the same options) runs `ResilientWorker`:

- **Reconnects.** django-tasks-db's worker exits with a traceback on any database error (a
  PostgreSQL restart, a failover, a network blip). Ours catches `OperationalError` and
  `InterfaceError`, closes its connections, waits with exponential backoff (0.5 s doubling to
  BACKOFF_MAX, jittered; reset after a minute without error) and goes on. Whatever process
  manager runs it, a database outage costs the outage and not the worker; supervise it anyway
  (systemd `Restart=always`, a Procfile runner that restarts) for crashes of any other kind.
- **Releases its leftovers.** A task whose worker lost the database (or died) stays RUNNING in
  django-tasks-db. When ours starts, and again after each reconnect, the RUNNING rows it claimed
  itself are marked FAILED (`WorkerLost`): a worker runs one task at a time, so they are not
  running. A run's own progress is not in that row: its lease and watchdog resume it. The rows
  of a worker that never comes back are marked by `manage.py prune --tasks-older-than` once
  RUNNING for over LEFT_RUNNING_AFTER (an hour) with no heartbeat from their worker.
- **Beats.** A thread records a heartbeat every BEAT_EVERY (ops.services.health) while the
  process is sound: the main thread alive, and not stuck in one task for over `stuck_after()`
  (10 minutes, or twice END_RUN_SLICE_SECONDS if longer).
- **Names itself.** Without `--worker-id`, the id is `<host>-<pid>` (not a random string), so the
  task rows and heartbeats say which machine and process ran what.
"""

import datetime as dt
import logging
import os
import random
import socket
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections
from django.db.utils import DatabaseError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ops.models import WorkerHeartbeat
from ops.services.health import ALIVE_FOR, BEAT_EVERY, heartbeat_record, heartbeats_forget

log = logging.getLogger(__name__)

# A task row RUNNING this long with its worker silent was left behind (slices are minutes long).
LEFT_RUNNING_AFTER = dt.timedelta(hours=1)
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0
CALM_AFTER = 60.0  # seconds without a database error: the next one starts the backoff afresh


class WorkerLost(Exception):  # noqa: N818 - the name is what the task row shows
    """Recorded on a task row whose worker lost the database or died while running it."""


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[-64:]


def stuck_after() -> float:
    """A task running this long means the worker is stuck: runs work in slices of
    END_RUN_SLICE_SECONDS, shop jobs take seconds to a few minutes."""
    return max(600.0, 2 * float(getattr(settings, "END_RUN_SLICE_SECONDS", 120.0)))


def worker_tasks_release(*, worker_id: str) -> int:
    """Mark FAILED the RUNNING task rows last claimed by `worker_id`, which runs none now (it is
    starting, or has just lost the database). Returns how many."""
    mine = [
        row.pk
        for row in DBTaskResult.objects.running().only("pk", "worker_ids")
        if row.worker_ids and row.worker_ids[-1] == worker_id
    ]
    return tasks_mark_lost(ids=mine, why=f"worker {worker_id} lost it (database error or restart)")


def tasks_left_running(*, now=None) -> list:
    """Ids of the task rows RUNNING for over LEFT_RUNNING_AFTER whose worker is gone (no heartbeat
    within ALIVE_FOR): left behind by a worker killed mid-task that never came back under its
    id. (`manage.py prune --tasks-older-than` marks them failed.)"""
    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=now - ALIVE_FOR).values_list(
            "worker_id", flat=True
        )
    )
    return [
        row.pk
        for row in DBTaskResult.objects.running()
        .filter(started_at__lt=now - LEFT_RUNNING_AFTER)
        .only("pk", "worker_ids")
        if not row.worker_ids or row.worker_ids[-1] not in alive
    ]


def tasks_mark_lost(*, ids, why: str) -> int:
    if not ids:
        return 0
    return DBTaskResult.objects.filter(pk__in=ids, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"WorkerLost: {why}\n",
        return_value=None,
    )


def close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None  # already broken: forget it, the next query reconnects


class ResilientWorker(Worker):
    """django-tasks-db's Worker, restarted in-process after a database error (see above)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.task_started = None  # monotonic time the current task started, None when idle
        self.beating = threading.Event()

    def run(self) -> None:
        failures, last_failure = 0, 0.0
        self.start_beating()
        try:
            while True:
                try:
                    released = worker_tasks_release(worker_id=self.worker_id)
                    if released:
                        log.warning("Marked %d task(s) of this worker as lost", released)
                    heartbeats_forget()
                    heartbeat_record(worker_id=self.worker_id)
                    super().run()
                    return
                except (OperationalError, InterfaceError) as error:
                    if not self.running:
                        raise
                    now = time.monotonic()
                    failures = 0 if now - last_failure > CALM_AFTER else failures
                    last_failure = now
                    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**failures)
                    delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
                    failures += 1
                    log.warning(
                        "Database error in worker %s (%s: %s); reconnecting in %.1f s",
                        self.worker_id,
                        type(error).__name__,
                        str(error).strip().splitlines()[0] if str(error).strip() else "",
                        delay,
                    )
                    close_connections()
                    self.startup_delay = False
                    time.sleep(delay)
        finally:
            self.beating.set()

    def run_task(self, db_task_result) -> None:
        self.task_started = time.monotonic()
        try:
            super().run_task(db_task_result)
        finally:
            self.task_started = None

    def sound(self) -> bool:
        """The process does its work: its main thread runs and no task has hung."""
        if not threading.main_thread().is_alive():
            return False
        started = self.task_started
        return started is None or time.monotonic() - started < stuck_after()

    def start_beating(self) -> None:
        thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        thread.start()

    def _beat(self) -> None:
        failing = False
        while not self.beating.wait(BEAT_EVERY.total_seconds()):
            if not self.sound():
                continue
            try:
                heartbeat_record(worker_id=self.worker_id)
                failing = False
            except DatabaseError as error:
                if not failing:
                    log.warning("Heartbeat not recorded (%s)", type(error).__name__)
                failing = True
                try:
                    connection.close()
                except DatabaseError:
                    connection.connection = None
        try:
            connection.close()
        except DatabaseError:
            pass
