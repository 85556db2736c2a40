"""Background tasks (Django's tasks framework; the database backend runs them in db_worker).

The one place that schedules work: services never import this module (it imports them); the
runs' queueing is registered with `services.runs.queue` when the app starts (apps.py).
"""

import datetime as dt

from django.tasks import task, task_backends
from django.utils import timezone

from core.logcontext import log_context
from jobs.services.process import (
    SLICE_OVER,
    shop_job_process,
    shop_job_watchdog_plan,
)
from ops.services.health import heartbeat_record
from runs.services import queue
from runs.services.engine import run_process
from runs.services.status_log import run_slice_logged


@task()
def run_process_task(run_id: int, watchdog: bool = False) -> str:
    """Process one slice of an ending run; see runs.services.engine."""
    return run_slice_logged(run_id=run_id, watchdog=watchdog, process=run_process)


def run_enqueue(*, run_id: int, at=None) -> None:
    """Queue processing of run `run_id`, at `at` when given and the backend can defer."""
    task_ = run_process_task
    if at is not None and at > timezone.now():
        if not task_backends[task_.backend].supports_defer:
            return  # an immediate backend: nothing can wait; the run is started by hand
        task_ = task_.using(run_after=at)
    task_.enqueue(run_id)


def run_enqueue_watchdog(*, run_id: int, after_seconds: float) -> dt.datetime | None:
    """Queue a check of the run `after_seconds` from now; returns when, or None if the
    backend cannot defer (then nothing watches over the run)."""
    if not task_backends[run_process_task.backend].supports_defer:
        return None
    at = timezone.now() + dt.timedelta(seconds=after_seconds)
    run_process_task.using(run_after=at).enqueue(run_id, watchdog=True)
    return at


queue.scheduler_register(enqueue=run_enqueue, enqueue_watchdog=run_enqueue_watchdog)


@task(takes_context=True)
def heartbeat_task(context) -> None:
    """Prove to the health check that a worker runs tasks."""
    worker_ids = getattr(context.task_result, "worker_ids", None) or [""]
    heartbeat_record(worker_id=worker_ids[-1])


@task()
def shop_job_task(job_id: int, watchdog: bool = False) -> str:
    """Process a shop job (connect follow-up, sync, check of authorizations) for a slice, and
    queue the rest; a watchdog copy of this task, queued behind it, resumes the job if this
    worker dies."""
    _shop_job_watch(job_id, watchdog=watchdog)
    with log_context(job_id=job_id):  # every line of the job names it
        said = shop_job_process(job_id=job_id)
    if said == SLICE_OVER:
        shop_job_task.enqueue(job_id)
    return said


def shop_job_enqueue(*, job_id: int) -> None:
    """Queue the processing of shop job `job_id` (the admin calls this after creating it), and
    its watchdog at once: should that first task be lost with its worker before it starts, the
    watchdog still takes the job up, so a job never stays queued for good."""
    shop_job_task.enqueue(job_id)
    _shop_job_watch(job_id, watchdog=False)


def _shop_job_watch(job_id: int, *, watchdog: bool) -> None:
    """Keep one watchdog task queued behind an active job (when the backend can defer)."""
    if task_backends[shop_job_task.backend].supports_defer:
        at = shop_job_watchdog_plan(job_id=job_id, watchdog=watchdog)
        if at is not None:
            shop_job_task.using(run_after=at).enqueue(job_id, watchdog=True)
