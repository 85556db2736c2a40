"""Runs processed by real db_worker processes: resumed after SIGKILL, overlapping runs; a worker
that rides out its database being unreachable, beats by itself and releases its lost tasks."""

import datetime as dt
import os
import shutil
import signal
import time
from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from audit.models import ShopeeCall
from ops.models import WorkerHeartbeat
from runs.models import EndRun, RunStatus
from runs.services.create import run_create
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from tests.worker import start_worker, stop_worker, wait_for
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db(transaction=True)

END = "/api/v2/voucher/end_voucher"


def successful_ends(sandbox):
    return Counter(
        call["body"]["voucher_id"]
        for call in sandbox.calls(END)
        if isinstance(call["response"], dict) and call["response"].get("error") == ""
    )


def finished(*runs):
    return lambda: all(EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED for run in runs)


@pytest.fixture
def shops_with_vouchers(sandbox):
    tokens = [ShopTokenFactory() for _ in range(3)]
    vouchers = [VoucherFactory(shop=tokens[n % 3].shop) for n in range(30)]
    sandbox.mirror()
    return vouchers


def test_a_worker_runs_a_run(sandbox, shops_with_vouchers, tmp_path):
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="all")
    worker = start_worker(tmp_path / "worker.log")
    try:
        wait_for(finished(run), 60, "the run to finish")
    finally:
        stop_worker(worker)
    assert set(successful_ends(sandbox).values()) == {1}
    assert len(successful_ends(sandbox)) == 30
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 30


def test_a_killed_worker_is_resumed_and_nothing_is_ended_twice(
    sandbox, shops_with_vouchers, tmp_path
):
    sandbox.control.set_faults([{"path": END, "kind": "latency", "latency_ms": 300}])
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="all")
    log = tmp_path / "worker.log"
    first = start_worker(log, END_RUN_CONCURRENCY=2)
    try:
        wait_for(lambda: len(sandbox.calls(END)) >= 6, 60, "the first calls")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop_worker(first)
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    ended_before = Voucher.objects.filter(ended_at__isnull=False).count()
    assert 0 < ended_before < 30

    second = start_worker(log, END_RUN_CONCURRENCY=2)
    try:
        wait_for(finished(run), 90, "the resumed run to finish")
    finally:
        stop_worker(second)

    ends = successful_ends(sandbox)
    assert len(ends) == 30 and set(ends.values()) == {1}, ends  # each exactly once at Shopee
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 30
    assert set(EndRun.objects.get(pk=run.pk).items.values_list("state", flat=True)) == {"ended"}
    # Every request Shopee received has its audit row; the rows the process left pending (it
    # died after writing them, before or while sending) are closed on resume with what was
    # learnt, none left pending (issue 18).
    rows = {row.request_id for row in ShopeeCall.objects.exclude(request_id="")}
    answered = [call["request_id"] for call in sandbox.calls() if call["request_id"]]
    lost = [rid for rid in answered if rid not in rows]
    closed = ShopeeCall.objects.filter(outcome="failed", message__startswith="no answer").count()
    assert len(lost) <= closed <= 2
    assert not ShopeeCall.objects.filter(outcome="pending").exists()
    for voucher in Voucher.objects.all():
        assert voucher.end_sent_at is None and voucher.end_claim_item is None


def test_overlapping_runs_on_two_workers_end_each_voucher_once(
    sandbox, shops_with_vouchers, tmp_path
):
    sandbox.control.set_faults([{"path": END, "kind": "latency", "latency_ms": 50}])
    user = UserFactory()
    ids = [voucher.pk for voucher in shops_with_vouchers]
    first = run_create(
        vouchers=Voucher.objects.filter(pk__in=ids[:20]), actor=user, selection="first"
    )
    second = run_create(
        vouchers=Voucher.objects.filter(pk__in=ids[10:]), actor=user, selection="second"
    )
    workers = [start_worker(tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        wait_for(finished(first, second), 90, "both runs to finish")
    finally:
        for worker in workers:
            stop_worker(worker)

    ends = successful_ends(sandbox)
    assert len(ends) == 30 and set(ends.values()) == {1}
    overlap = EndRun.objects.get(pk=second.pk).items.filter(voucher_id__in=ids[10:20])
    states = Counter(overlap.values_list("state", flat=True))
    assert set(states) <= {"ended", "skipped"}
    first_overlap = EndRun.objects.get(pk=first.pk).items.filter(voucher_id__in=ids[10:20])
    both = states["ended"] + first_overlap.filter(state="ended").count()
    assert both == 10  # every shared voucher ended by exactly one of the two runs


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="takes a PostgreSQL database away from its worker"
)


def database_unreachable(seconds):
    """Our test database refuses connections for `seconds` and its open ones (the worker's, not
    this test's) are cut: what a worker sees during a PostgreSQL restart, on this database only.
    (Run from the `postgres` database: a database cannot refuse connections from itself.)"""
    import psycopg

    db = connection.settings_dict
    name = db["NAME"]
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
    admin = psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    )
    with admin:
        admin.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS false")
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> %s",
                    [name, ours],
                )
                time.sleep(0.2)
        finally:
            admin.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS true")


def beats_of(worker_id):
    return WorkerHeartbeat.objects.filter(worker_id=worker_id, beat_at__isnull=False).exists()


@postgres_only
def test_a_worker_rides_out_an_unreachable_database_then_runs_a_task(
    sandbox, shops_with_vouchers, tmp_path
):
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    try:
        worker_id = f"{os.uname().nodename}-{worker.pid}"[-64:]
        wait_for(lambda: beats_of(worker_id), 30, "the worker's first heartbeat")
        database_unreachable(4)
        time.sleep(1)
        assert worker.poll() is None, log.read_text()  # still running
        run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="all")
        wait_for(finished(run), 60, "the run queued after the outage to finish")
        assert worker.poll() is None, log.read_text()
    finally:
        stop_worker(worker)
    assert "reconnecting in" in log.read_text()
    assert len(successful_ends(sandbox)) == 30


def test_a_starting_worker_marks_the_tasks_it_had_claimed_as_lost(tmp_path):
    """A task row left RUNNING by a worker that died is failed when that worker id starts again."""
    left = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ops.tasks.heartbeat_task",
        backend_name="default",
        status="RUNNING",
        worker_ids=["host-1"],
    )
    other = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ops.tasks.heartbeat_task",
        backend_name="default",
        status="RUNNING",
        worker_ids=["host-2"],
    )
    worker = start_worker(tmp_path / "worker.log", extra=["--worker-id", "host-1"])
    try:
        wait_for(lambda: beats_of("host-1"), 30, "the worker to start")
    finally:
        stop_worker(worker)
    left.refresh_from_db()
    other.refresh_from_db()
    assert left.status == "FAILED" and "WorkerLost" in left.traceback
    assert other.status == "RUNNING"  # another worker's task is not ours to judge


def postgres_cluster():
    """(version, name) of the Debian PostgreSQL cluster serving the test database."""
    import subprocess

    port = str(connection.settings_dict["PORT"] or 5432)
    listing = subprocess.run(  # noqa: S603 - the Debian tool, fixed arguments
        [shutil.which("pg_lsclusters"), "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            return version, name
    raise AssertionError(f"no cluster on port {port}: {listing}")


@pytest.mark.faults
@pytest.mark.skipif(
    connection.vendor != "postgresql"
    or not (os.environ.get("CI") or os.environ.get("SHOPADMIN_TEST_RESTART_POSTGRES"))
    or os.geteuid() != 0
    or not shutil.which("pg_ctlcluster"),
    reason="restarts the PostgreSQL server: only in CI (or SHOPADMIN_TEST_RESTART_POSTGRES=1), "
    "as root, with Debian's pg_ctlcluster",
)
def test_a_worker_survives_a_postgresql_restart_mid_run(sandbox, shops_with_vouchers, tmp_path):
    import subprocess

    from ops.tasks import heartbeat_task

    sandbox.control.set_faults([{"path": END, "kind": "latency", "latency_ms": 200}])
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="all")
    log = tmp_path / "worker.log"
    worker = start_worker(log, END_RUN_CONCURRENCY=2)
    try:
        wait_for(lambda: len(sandbox.calls(END)) >= 4, 60, "the first ends")
        connection.close()
        version, name = postgres_cluster()
        subprocess.run(  # noqa: S603 - the Debian tool, fixed arguments
            [shutil.which("pg_ctlcluster"), "--skip-systemctl-redirect", version, name, "restart"],
            check=True,
            timeout=60,
        )
        wait_for(finished(run), 90, "the run to finish after the restart")
        assert worker.poll() is None, log.read_text()  # the same worker, still running
        later = heartbeat_task.enqueue()
        wait_for(
            lambda: DBTaskResult.objects.get(pk=later.id).status == "SUCCESSFUL",
            30,
            "a task queued after the restart",
        )
    finally:
        stop_worker(worker)
    # The restart hit the worker: in its own polling (it reconnects with backoff), or in the
    # run's task (the slice fails, the task is marked failed, the watchdog resumes the run),
    # whichever touched the database first after the restart.
    text = log.read_text()
    assert "reconnecting in" in text or "Run slice failed" in text, text
    ends = successful_ends(sandbox)
    assert len(ends) == 30 and set(ends.values()) == {1}, ends  # each ended once at Shopee
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 30


def test_prune_marks_tasks_left_running_by_a_gone_worker_then_deletes_old_finished_ones():
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    def task_row(worker_id, started_hours_ago, status="RUNNING", enqueued_days_ago=0):
        row = DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="ops.tasks.heartbeat_task",
            backend_name="default",
            status=status,
            worker_ids=[worker_id],
        )
        now = timezone.now()
        DBTaskResult.objects.filter(pk=row.pk).update(
            started_at=now - dt.timedelta(hours=started_hours_ago),
            enqueued_at=now - dt.timedelta(days=enqueued_days_ago, hours=started_hours_ago),
        )
        return row

    WorkerHeartbeat.objects.create(worker_id="alive-1", beat_at=timezone.now())
    WorkerHeartbeat.objects.create(
        worker_id="dead-1", beat_at=timezone.now() - dt.timedelta(hours=3)
    )
    gone = task_row("dead-1", started_hours_ago=2)
    gone_long_ago = task_row("dead-1", started_hours_ago=2, enqueued_days_ago=40)
    recent = task_row("dead-1", started_hours_ago=0.1)  # may still be finishing: left alone
    busy = task_row("alive-1", started_hours_ago=2)  # its worker beats: not ours to judge
    old_done = task_row("alive-1", started_hours_ago=1, status="SUCCESSFUL", enqueued_days_ago=40)

    out = StringIO()
    call_command("prune", "--tasks-older-than", "30", stdout=out)  # the dry run changes nothing
    assert "Would mark as failed: 2 task row(s)" in out.getvalue()
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 4

    out = StringIO()
    call_command("prune", "--tasks-older-than", "30", "--yes", stdout=out)
    assert "Marked as failed: 2 task row(s)" in out.getvalue()
    gone.refresh_from_db()
    assert gone.status == "FAILED" and "its worker is gone" in gone.traceback
    assert not DBTaskResult.objects.filter(pk__in=[gone_long_ago.pk, old_done.pk]).exists()
    assert set(DBTaskResult.objects.filter(status="RUNNING").values_list("pk", flat=True)) == {
        recent.pk,
        busy.pk,
    }


def test_a_worker_stuck_in_one_task_stops_beating():
    """A hung task must not keep /health/ green: the beat thread skips while the task runs past
    stuck_after()."""
    from ops.services.worker import ResilientWorker, stuck_after

    worker = ResilientWorker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="host-1",
        excluded_queue_names=[],
    )
    assert worker.sound()  # idle
    worker.task_started = time.monotonic() - 5
    assert worker.sound()  # busy, lately started
    worker.task_started = time.monotonic() - stuck_after() - 1
    assert not worker.sound()
