"""`/health/`: 503 within a minute of the last worker's beat, 503 when the database is down,
Shopee's reachability read from the recent call log, and workers that beat by themselves."""

import datetime as dt
import uuid

import pytest
from django.db import OperationalError
from django.utils import timezone

from audit.models import ShopeeCall
from ops.models import WorkerHeartbeat
from ops.services import health
from ops.services.health import heartbeat_record
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = pytest.mark.django_db


def beat(seconds_ago, worker_id="host-1"):
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, beat_at=timezone.now() - dt.timedelta(seconds=seconds_ago)
    )


def call(outcome, seconds_ago=5):
    ShopeeCall.objects.create(
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        finished_at=timezone.now(),
        endpoint="/api/v2/voucher/end_voucher",
        method="POST",
        outcome=outcome,
        request_id=uuid.uuid4().hex,
    )


def test_no_worker_ever_is_503(client):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["worker"] == "no heartbeat yet"
    assert response.json()["database"] == "ok"


def test_a_beat_within_a_minute_is_200(client):
    heartbeat_record(worker_id="host-1")
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() | {"last_worker_heartbeat": None} == {
        "status": "ok",
        "database": "ok",
        "worker": "ok",
        "workers_alive": 1,
        "last_worker_heartbeat": None,
        "shopee": "unknown",
    }


def test_workers_silent_for_over_a_minute_are_503(client):
    """The deployment answered 200 for 166 s after both workers died; now at most a minute."""
    beat(61, "host-1")
    beat(75, "host-2")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["worker"] == "no heartbeat for over 60 seconds"
    assert response.json()["workers_alive"] == 0


def test_one_live_worker_among_dead_ones_is_enough(client):
    beat(300, "host-1")
    beat(10, "host-2")
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["workers_alive"] == 1


def test_a_database_that_does_not_answer_is_503(client, monkeypatch):
    heartbeat_record(worker_id="host-1")

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_shopee_unreachable_when_every_recent_call_failed_without_answer(client):
    heartbeat_record(worker_id="host-1")
    call("success", seconds_ago=120)
    for _ in range(10):
        call("failed")
    response = client.get("/health/")
    assert response.json()["shopee"] == "unreachable"
    assert response.status_code == 200  # Shopee's outage is not ours to restart


def test_shopee_ok_when_a_recent_call_was_answered(client):
    heartbeat_record(worker_id="host-1")
    for _ in range(5):
        call("failed")
    call("refused", seconds_ago=1)  # Shopee answered: it is reachable
    assert client.get("/health/").json()["shopee"] == "ok"


def test_old_calls_say_nothing_about_shopee_now(client):
    heartbeat_record(worker_id="host-1")
    call("failed", seconds_ago=3600)
    assert client.get("/health/").json()["shopee"] == "unknown"


@pytest.mark.django_db(transaction=True)
def test_a_worker_beats_by_itself_without_probes(tmp_path):
    """No false 503 after a quiet spell: beats do not wait for a probe to ask for them."""
    worker = start_worker(tmp_path / "worker.log", extra=["--worker-id", "quiet-1"])
    try:
        wait_for(lambda: WorkerHeartbeat.objects.filter(worker_id="quiet-1").exists(), 30, "a beat")
        first = WorkerHeartbeat.objects.get(worker_id="quiet-1").beat_at
        wait_for(
            lambda: WorkerHeartbeat.objects.get(worker_id="quiet-1").beat_at > first,
            health.BEAT_EVERY.total_seconds() + 10,
            "the next beat, with no probe",
        )
    finally:
        stop_worker(worker)
    assert health.health_check().healthy


def test_no_database_at_all_is_503_not_a_server_error():
    """A process whose PostgreSQL is down (nothing listens on the port) still answers the probe."""
    import json
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/health/'); print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],  # the project root
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shopadmin.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/nothing",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503", result.stdout + result.stderr
    assert json.loads(body)["database"] == "error: OperationalError"
