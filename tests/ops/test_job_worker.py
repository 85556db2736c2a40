"""Shop jobs processed by real db_worker processes: a job whose worker is killed mid-way is
taken over by another worker (its watchdog task) and finishes; nothing is left running."""

import os
import signal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from jobs.models import JobStatus, RowState, ShopJob
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.jobs.follow import job_outcome
from tests.worker import start_worker, stop_worker, wait_for
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v2/voucher/get_voucher_list"


@pytest.fixture
def twenty_shops(sandbox):
    tokens = [ShopTokenFactory() for _ in range(20)]
    for token in tokens:
        VoucherFactory(shop=token.shop)
    sandbox.mirror()
    Voucher.objects.all().delete()
    return [token.shop for token in tokens]


def rows_done(job):
    return job.rows.exclude(state=RowState.PENDING).count()


def test_a_job_whose_worker_is_killed_is_finished_by_another(
    merch_client, sandbox, twenty_shops, settings, tmp_path
):
    settings.END_RUN_CONCURRENCY = 2  # batches of 8 shops: the job is killed between batches
    # Shopee is slow here, not failing: the workers wait longer than its 1 s answers.
    settings.SHOPEE_TIMEOUT_SECONDS = "5"
    sandbox.control.set_faults([{"path": LIST, "kind": "latency", "latency_ms": 1000}])
    answer = merch_client.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [shop.pk for shop in twenty_shops]},
    )
    job = ShopJob.objects.get()

    first = start_worker(tmp_path / "first.log")
    try:
        wait_for(lambda: rows_done(job) >= 1, 60, "the first shops to be synced")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop_worker(first)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and rows_done(job) < 20

    second = start_worker(tmp_path / "second.log")
    try:
        wait_for(
            lambda: ShopJob.objects.get(pk=job.pk).status == JobStatus.FINISHED,
            90,
            "the watchdog to resume the job and the job to finish",
        )
    finally:
        stop_worker(second)

    states = list(job.rows.exclude(state=RowState.DONE).values_list("state", "error"))
    assert not states, states
    assert Voucher.objects.count() == 20
    page = merch_client.get(answer["Location"])
    assert len(job_outcome(page)) == 20
    # A shop read again after the kill may say "0 new and 1 updated": its page was saved twice.
    assert all(text.endswith("updated vouchers (1 page).") for text in job_outcome(page))
