"""Putting a run on the task queue (the task itself lives in vouchers.tasks)."""

import datetime as dt

from django.db import transaction
from django.tasks import task_backends
from django.utils import timezone

from vouchers.models import EndRun
from vouchers.models.run import RunStatus
from vouchers.services.notifications import run_notify


def run_enqueue(*, run_id: int, at=None) -> None:
    """Queue processing of run `run_id`, at `at` when given and the backend can defer."""
    from vouchers.tasks import run_process_task  # the task module imports the services

    task = run_process_task
    if at is not None and at > timezone.now():
        if not task_backends[task.backend].supports_defer:
            return  # an immediate backend: nothing can wait; the run is started by hand
        task = task.using(run_after=at)
    task.enqueue(run_id)


def run_enqueue_watchdog(*, run_id: int, after_seconds: float) -> dt.datetime | None:
    """Queue a check of the run `after_seconds` from now; returns when, or None if the
    backend cannot defer (then nothing watches over the run)."""
    from vouchers.tasks import run_process_task

    if not task_backends[run_process_task.backend].supports_defer:
        return None
    at = timezone.now() + dt.timedelta(seconds=after_seconds)
    run_process_task.using(run_after=at).enqueue(run_id, watchdog=True)
    return at


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
