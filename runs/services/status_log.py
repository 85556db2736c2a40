"""Log lines at a run's start, takeover and end, with the run's ids on every line of its slice.

`run_slice_logged()` wraps one slice of processing (what `run_process_task` runs): it opens
`log_context(run_id=..., actor=...)` around the slice, so every line the slice logs in this
thread names the run and who started it, and compares the run's status and lease before and
after to write one line when the run

- starts (queued or scheduled before, processing after): INFO "Run started";
- is taken over (a processor's lease had run out: that worker died or lost the database):
  WARNING "Run taken over";
- ends: INFO "Run finished" / "Run canceled", ERROR "Run stopped" with the reason.

It reads the status instead of hooking the engine, so it holds whatever the engine does inside
a slice. A run canceled between two slices is logged by the cancel itself (services/runs/
control.py), not here.
"""

import logging

from django.db import DatabaseError
from django.utils import timezone

from core.logcontext import log_context
from runs.models import EndRun, RunStatus

log = logging.getLogger("vouchers.runs")

WAITING = (RunStatus.QUEUED, RunStatus.SCHEDULED)
ENDED = (RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.CANCELED)


def run_slice_logged(*, run_id: int, watchdog: bool, process) -> str:
    """`process(run_id=..., watchdog=...)` (the engine's slice) with the run's log lines."""
    fields = ("status", "lease_owner", "lease_until", "created_by_username", "selection")
    before = EndRun.objects.filter(pk=run_id).values(*fields).first()
    if before is None:
        return process(run_id=run_id, watchdog=watchdog)
    lease_until = before["lease_until"]
    expired_lease = bool(before["lease_owner"]) and lease_until and lease_until < timezone.now()
    with log_context(run_id=run_id, actor=before["created_by_username"] or None):
        result = None
        try:
            result = process(run_id=run_id, watchdog=watchdog)
            return result
        except Exception:
            log.exception("Run slice failed (watchdog=%s)", watchdog)
            raise
        finally:
            _log_changes(run_id, before, result, expired_lease)


def _log_changes(run_id, before, result, expired_lease) -> None:
    """The start, takeover and end lines, from the run's status after the slice (skipped when
    the database cannot say: a slice that failed on a database error)."""
    try:
        after = EndRun.objects.filter(pk=run_id).values("status", "stop_reason").first()
    except DatabaseError:
        return
    status = after["status"] if after else None
    if before["status"] in WAITING and status not in WAITING and status is not None:
        log.info("Run started: %s", before["selection"])
    if expired_lease and result != "busy":
        log.warning(
            "Run taken over: the previous processor's lease ran out at %s",
            before["lease_until"].isoformat(),
        )
    if status != before["status"] and status in ENDED:
        if status == RunStatus.STOPPED:
            log.error("Run stopped: %s", after["stop_reason"])
        else:
            log.info("Run %s", status)
