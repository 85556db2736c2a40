"""Background tasks (Django's tasks framework; the database backend runs them in db_worker)."""

from django.tasks import task

from vouchers.services.health import heartbeat_record
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
