"""Background tasks (Django's tasks framework; the database backend runs them in db_worker)."""

from django.tasks import task, task_backends

from vouchers.logcontext import log_context
from vouchers.services.health import heartbeat_record
from vouchers.services.jobs.process import shop_job_process, shop_job_watchdog_plan
from vouchers.services.runs.engine import run_process
from vouchers.services.runs.status_log import run_slice_logged


@task()
def run_process_task(run_id: int, watchdog: bool = False) -> str:
    """Process one slice of an ending run; see vouchers.services.runs.engine."""
    return run_slice_logged(run_id=run_id, watchdog=watchdog, process=run_process)


@task(takes_context=True)
def heartbeat_task(context) -> None:
    """Prove to the health check that a worker runs tasks."""
    worker_ids = getattr(context.task_result, "worker_ids", None) or [""]
    heartbeat_record(worker_id=worker_ids[-1])


@task()
def shop_job_task(job_id: int, watchdog: bool = False) -> str:
    """Process a shop job (connect follow-up, sync, check of authorizations) to its end; a
    watchdog copy of this task, queued behind it, resumes the job if this worker dies."""
    if task_backends[shop_job_task.backend].supports_defer:
        at = shop_job_watchdog_plan(job_id=job_id, watchdog=watchdog)
        if at is not None:
            shop_job_task.using(run_after=at).enqueue(job_id, watchdog=True)
    with log_context(job_id=job_id):  # every line of the job names it
        return shop_job_process(job_id=job_id)


def shop_job_enqueue(*, job_id: int) -> None:
    """Queue the processing of shop job `job_id` (the admin calls this after creating it)."""
    shop_job_task.enqueue(job_id)
