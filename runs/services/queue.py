"""Putting a run on the task queue, and stopping a run.

The queueing itself is done by `ops.tasks` (the one place that schedules work), which
registers it here when the app starts: services never import the task module, which imports
them.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.services.notify import run_notify
from runs.models import EndRun, RunStatus

_scheduler = {}


def scheduler_register(*, enqueue, enqueue_watchdog) -> None:
    """`ops.tasks`, the one place that schedules work, says how (at app start-up)."""
    _scheduler["enqueue"] = enqueue
    _scheduler["enqueue_watchdog"] = enqueue_watchdog


def run_enqueue(*, run_id: int, at=None) -> None:
    """Queue processing of run `run_id`, at `at` when given and the backend can defer."""
    _scheduler["enqueue"](run_id=run_id, at=at)


def run_enqueue_watchdog(*, run_id: int, after_seconds: float) -> dt.datetime | None:
    """Queue a check of the run `after_seconds` from now; returns when, or None if the
    backend cannot defer (then nothing watches over the run)."""
    return _scheduler["enqueue_watchdog"](run_id=run_id, after_seconds=after_seconds)


def run_stop(run, reason: str) -> None:
    """Stop a run that cannot go on until staff fix something (a configuration error).

    Each request still in flight may report the same error: only the first stops the run (and
    tells its creator)."""
    with transaction.atomic():
        stopped = (
            EndRun.objects.filter(pk=run.pk)
            .exclude(status=RunStatus.STOPPED)
            .update(status=RunStatus.STOPPED, stop_reason=reason, finished_at=timezone.now())
        )
        if stopped:
            run_notify(run=run)
