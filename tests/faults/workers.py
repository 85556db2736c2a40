"""A run on real `db_worker` processes: the first one SIGKILLed mid-run, a second one resuming.

The second worker finds the run leased to the dead one; the run's watchdog task resumes it there
once the lease (5 s in tests) has run out.
"""

import signal
import time

from runs.models import EndRun, RunStatus
from tests.faults.conftest import MAX_ATTEMPTS
from tests.worker import start_worker, stop_worker, wait_for


def worker_pace(settings, *, concurrency):
    """The fault suite's pacing and retries, for a worker process's environment."""
    return {
        "END_RUN_CONCURRENCY": concurrency,
        "END_RUN_SHOP_RPS": settings.END_RUN_SHOP_RPS,
        "END_RUN_GLOBAL_RPS": settings.END_RUN_GLOBAL_RPS,
        "END_RUN_MAX_ATTEMPTS": MAX_ATTEMPTS,
    }


def worker_kill_when(condition, *, log, pace, what) -> float:
    """Start a worker and SIGKILL it as soon as `condition()` holds; returns when it died."""
    first = start_worker(log, **pace)
    try:
        wait_for(condition, 60, what)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop_worker(first)
    return time.time()


def run_resume(run, *, log, pace, timeout=120) -> None:
    """Start a second worker and wait until it has finished the run."""
    second = start_worker(log, **pace)
    try:
        wait_for(
            lambda: EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED,
            timeout,
            "the resumed run to finish",
        )
    finally:
        stop_worker(second)
