"""`/metrics/`: Prometheus' text format for the METRICS_TOKEN bearer or a staff login; the
figures come from the database, so they move when a worker anywhere makes a call."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from audit.services.calls import shopee_call
from ops.models import WorkerHeartbeat
from runs.services.create import run_create
from shopee import api
from shopee.client import ShopAuth, get_client
from shopee.errors import ShopeeError
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-7b1e4c"
END = "/api/v2/voucher/end_voucher"
NAMES = {
    "shopadmin_shopee_calls_last_5m",
    "shopadmin_shopee_call_duration_seconds_last_5m",
    "shopadmin_shopee_unreachable",
    "shopadmin_shopee_circuit_open",
    "shopadmin_runs",
    "shopadmin_run_items_pending",
    "shopadmin_task_queue_depth",
    "shopadmin_task_queue_oldest_age_seconds",
    "shopadmin_tasks_running",
    "shopadmin_worker_heartbeat_age_seconds",
    "shopadmin_workers_alive",
}


@pytest.fixture(autouse=True)
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client=None, **headers):
    client = client or Client()
    return client.get("/metrics/", headers=headers or {"authorization": f"Bearer {TOKEN}"})


def samples():
    response = scrape()
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


def test_no_credentials_is_401():
    response = Client().get("/metrics/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_403():
    assert scrape(authorization="Bearer nope").status_code == 403
    assert scrape(authorization=f"Basic {TOKEN}").status_code == 403


def test_no_token_configured_refuses_every_bearer(settings):
    settings.METRICS_TOKEN = ""
    assert scrape(authorization="Bearer ").status_code == 403


def test_a_logged_in_non_staff_user_is_403_and_staff_is_200():
    client = Client()
    client.force_login(UserFactory(is_staff=False))
    assert client.get("/metrics/").status_code == 403
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/metrics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_the_text_format_names_every_metric():
    response = scrape()
    assert response.status_code == 200
    families = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert NAMES <= families
    assert response["Cache-Control"].startswith("max-age=0")


def test_calls_and_latency_move_after_a_call(sandbox):
    voucher = VoucherFactory()
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    before = samples()

    shopee_call(
        client=get_client(),
        api=api.end_voucher(voucher_id=voucher.voucher_id),
        shop=voucher.shop,
        shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
        voucher=voucher,
        actor=UserFactory(),
    )
    sandbox.control.set_faults([{"path": END, "kind": "drop"}])
    with pytest.raises(ShopeeError):
        shopee_call(
            client=get_client(),
            api=api.end_voucher(voucher_id=voucher.voucher_id),
            shop=voucher.shop,
            shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
            voucher=voucher,
            actor=UserFactory(),
        )
    after = samples()
    calls = "shopadmin_shopee_calls_last_5m"
    for outcome in ("success", "failed"):
        assert value(after, calls, api=END, outcome=outcome) == (
            value(before, calls, api=END, outcome=outcome) + 1
        )
    count = "shopadmin_shopee_call_duration_seconds_last_5m_count"
    assert value(after, count, api=END) == value(before, count, api=END) + 2
    inf = "shopadmin_shopee_call_duration_seconds_last_5m_bucket"
    assert value(after, inf, api=END, le="+Inf") == value(after, count, api=END)


def test_runs_items_queue_and_workers_are_read_at_scrape_time():
    vouchers = [VoucherFactory() for _ in range(3)]
    run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="three")
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ops.tasks.heartbeat_task",
        backend_name="default",
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=90))
    WorkerHeartbeat.objects.create(worker_id="host-1", beat_at=timezone.now())
    WorkerHeartbeat.objects.create(
        worker_id="host-2", beat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    found = samples()
    assert value(found, "shopadmin_runs", state="queued") == 1
    assert value(found, "shopadmin_runs", state="finished") == 0
    assert value(found, "shopadmin_run_items_pending") == len(vouchers)
    assert value(found, "shopadmin_task_queue_depth") >= 1
    assert value(found, "shopadmin_task_queue_oldest_age_seconds") >= 89
    assert value(found, "shopadmin_workers_alive") == 1
    assert 290 < value(found, "shopadmin_worker_heartbeat_age_seconds", worker="host-2") < 320
    assert value(found, "shopadmin_shopee_circuit_open") == 0
