"""The fault drill of issue 18 on PostgreSQL: two real `db_worker`s end a 1,000-voucher run while
the PostgreSQL server restarts under them, then the worker processing the run is SIGKILLed.

What must hold: every voucher ended exactly once (Shopee's side and ours), no call-log row left
`pending` (the dead worker's are closed with what get_voucher learnt), the run resumed on the
surviving worker within the lease and a few seconds of the kill (README: within 30 s at the
default lease), and the surviving worker still alive after the restart.

It restarts the whole PostgreSQL server, which other databases share: like the restart test in
tests/ops/test_worker_process.py, it runs only on PostgreSQL, in CI or with
SHOPADMIN_TEST_RESTART_POSTGRES=1, as root, with Debian's pg_ctlcluster.
"""

import datetime as dt
import os
import shutil
import signal
import subprocess
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ShopeeCall
from runs.models import EndRun, RunStatus
from runs.services.create import run_create
from tests.faults.invariants import check_database, check_exactly_once
from tests.faults.shopee_log import END, GET, ShopeeSide, check_audit_log_after_kill
from tests.faults.workers import worker_pace
from tests.ops.test_worker_process import postgres_cluster
from tests.worker import start_worker, stop_worker, wait_for
from vouchers.models import Voucher

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql"
        or not (os.environ.get("CI") or os.environ.get("SHOPADMIN_TEST_RESTART_POSTGRES"))
        or os.geteuid() != 0
        or not shutil.which("pg_ctlcluster"),
        reason="restarts the PostgreSQL server: only in CI (or SHOPADMIN_TEST_RESTART_POSTGRES=1), "
        "as root, with Debian's pg_ctlcluster",
    ),
]

CONCURRENCY = 8
RESTART_AFTER_CALLS = 150
KILL_AFTER_MORE_CALLS = 150  # ends recorded after the restart, before the kill


def postgres_restart():
    connection.close()
    version, name = postgres_cluster()
    subprocess.run(  # noqa: S603 - the Debian tool, fixed arguments
        [shutil.which("pg_ctlcluster"), "--skip-systemctl-redirect", version, name, "restart"],
        check=True,
        timeout=60,
    )


def run_processor(workers):
    """The worker process running the run's slice now (workers name themselves <host>-<pid>):
    the newest task running for more than a second (a watchdog that finds the run busy is over
    in milliseconds; a task the restart cut short is marked failed by its worker)."""
    running = DBTaskResult.objects.filter(
        status="RUNNING",
        task_path__endswith="run_process_task",
        started_at__lt=timezone.now() - dt.timedelta(seconds=1),
    ).order_by("-started_at")
    for row in running[:1]:
        pid = int(row.worker_ids[-1].rsplit("-", 1)[1])
        for worker in workers:
            if worker.pid == pid:
                return worker
    return None


def test_a_postgresql_restart_then_a_killed_worker_mid_run(
    sandbox, fleet, staff, settings, tmp_path
):
    sandbox.control.set_faults(
        [{"path": path, "kind": "latency", "latency_ms": 100} for path in (END, GET)]
    )
    pace = worker_pace(settings, concurrency=CONCURRENCY)
    run = run_create(vouchers=Voucher.objects.all(), actor=staff, selection="fault drill")
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(log, **pace) for log in logs]
    try:
        wait_for(lambda: len(sandbox.calls(END)) >= RESTART_AFTER_CALLS, 60, "the first ends")
        postgres_restart()
        restarted_at = len(sandbox.calls(END))
        wait_for(
            lambda: len(sandbox.calls(END)) >= restarted_at + KILL_AFTER_MORE_CALLS,
            60,
            "the run to go on after the restart",
        )
        assert all(worker.poll() is None for worker in workers), "a worker died of the restart"
        wait_for(lambda: run_processor(workers) is not None, 30, "the run's processor")
        victim = run_processor(workers)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = time.time()
        survivor = next(worker for worker in workers if worker is not victim)
        assert EndRun.objects.get(pk=run.pk).status == RunStatus.RUNNING  # killed mid-run

        wait_for(
            lambda: EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED,
            120,
            "the run to finish on the surviving worker",
        )
        assert survivor.poll() is None, "the surviving worker died"
    finally:
        for worker in workers:
            stop_worker(worker)
    assert any("reconnecting in" in log.read_text() for log in logs)

    shopee = ShopeeSide(sandbox)
    resumed = [call for call in shopee.calls if call.time > killed_at]
    assert resumed, "the surviving worker sent nothing"
    resumed_after = min(call.time for call in resumed) - killed_at
    assert resumed_after < min(30, settings.END_RUN_LEASE_SECONDS + 3), resumed_after
    assert not ShopeeCall.objects.filter(outcome="pending").exists()
    # Two incidents, each with up to CONCURRENCY requests in flight.
    unrecorded = check_audit_log_after_kill(shopee, in_flight=2 * CONCURRENCY)
    check_exactly_once(shopee, fleet, unrecorded=unrecorded)
    check_database(run, shopee, fleet, killed=True)
