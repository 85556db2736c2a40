"""Background tasks (Django's tasks framework; the database backend runs them in db_worker)."""

from django.tasks import task

from vouchers.services.runs.engine import run_process


@task()
def run_process_task(run_id: int, watchdog: bool = False) -> str:
    """Process one slice of an ending run; see vouchers.services.runs.engine."""
    return run_process(run_id=run_id, watchdog=watchdog)
