"""Shop jobs in the background: resumed after a dead worker, failed plainly, never stuck."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ShopeeCall
from jobs.models import JobStatus, RowState, ShopJob
from jobs.services.process import SLICE_OVER, shop_job_process, shop_job_watchdog_plan
from ops.tasks import shop_job_task
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.jobs.follow import finish_jobs, job_outcome
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

SHOPS = reverse("admin:shops_shop_changelist")
LIST = "/api/v2/voucher/get_voucher_list"


@pytest.fixture
def three_shops(sandbox):
    tokens = [ShopTokenFactory() for _ in range(3)]
    for token in tokens:
        VoucherFactory(shop=token.shop)
    sandbox.mirror()
    Voucher.objects.all().delete()
    return [token.shop for token in tokens]


def start_sync(client, shops):
    response = client.post(
        SHOPS, {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [shop.pk for shop in shops]}
    )
    assert response.status_code == 302
    return ShopJob.objects.get()


def worker_died(job, *, done_rows=1):
    """As a worker that died mid-job leaves it: running, its lease over, some rows done."""
    for row in job.rows.order_by("id")[:done_rows]:
        row.state = RowState.DONE
        row.save()
    ShopJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        lease_owner="dead-worker",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )


def test_the_watchdog_resumes_a_job_whose_worker_died(merch_client, sandbox, three_shops):
    job = start_sync(merch_client, three_shops)
    worker_died(job)

    said = shop_job_task.call(job.pk, watchdog=True)

    job.refresh_from_db()
    assert said == "finished" and job.status == JobStatus.FINISHED
    assert set(job.rows.values_list("state", flat=True)) == {RowState.DONE}
    # The rows the dead worker had finished are not read again.
    assert {call["shop_id"] for call in sandbox.calls(LIST)} == {
        shop.shop_id for shop in three_shops[1:]
    }
    assert Voucher.objects.count() == 2


def test_a_job_held_by_a_live_worker_is_left_to_it(merch_client, sandbox, three_shops):
    job = start_sync(merch_client, three_shops)
    worker_died(job, done_rows=0)
    ShopJob.objects.filter(pk=job.pk).update(
        lease_owner="alive", lease_until=timezone.now() + dt.timedelta(seconds=30)
    )

    assert shop_job_process(job_id=job.pk).startswith("busy")
    assert not ShopeeCall.objects.exists()
    assert ShopJob.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_one_watchdog_is_planned_while_a_job_is_active_and_none_after(merch_client, three_shops):
    job = start_sync(merch_client, three_shops)

    # Queued with the job itself: a lost first task cannot leave the job queued for good.
    assert ShopJob.objects.get(pk=job.pk).watchdog_at > timezone.now()
    assert shop_job_watchdog_plan(job_id=job.pk) is None  # one is already queued
    assert shop_job_watchdog_plan(job_id=job.pk, watchdog=True) is not None  # it ran: next one

    finish_jobs()
    assert shop_job_watchdog_plan(job_id=job.pk, watchdog=True) is None


def test_a_configuration_error_fails_the_job_with_that_error(
    merch_client, sandbox, three_shops, settings
):
    job = start_sync(merch_client, three_shops)
    settings.SHOPEE_PARTNER_KEY = ""

    finish_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    page = merch_client.get(reverse("admin:jobs_shopjob_change", args=[job.pk]))
    assert job_outcome(page) == [
        "Sync failed: SHOPEE_PARTNER_KEY is not set: set it to your partner app's key."
    ]


def test_an_unexpected_error_fails_the_job_instead_of_retrying_it_forever(
    merch_client, sandbox, three_shops, monkeypatch
):
    job = start_sync(merch_client, three_shops)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("jobs.services.process.shops_vouchers_sync", broken)

    assert shop_job_process(job_id=job.pk) == "failed unexpectedly"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "start it again" in job.error
    assert job.lease_owner == ""


def test_a_long_job_stops_between_batches_after_a_slice_and_queues_the_rest(
    merch_client, sandbox, settings, django_capture_on_commit_callbacks
):
    tokens = [ShopTokenFactory() for _ in range(6)]
    sandbox.mirror()
    settings.END_RUN_CONCURRENCY = 1  # batches of 4 shops
    settings.END_RUN_SLICE_SECONDS = 0
    job = start_sync(merch_client, [token.shop for token in tokens])
    # Not deferred: the backend stores "run now" as the year 9999.
    queued = DBTaskResult.objects.filter(task_path__endswith="shop_job_task", run_after__year=9999)
    before = queued.count()

    with django_capture_on_commit_callbacks(execute=True):  # the backend enqueues on commit
        said = shop_job_task.call(job.pk)

    assert said == SLICE_OVER
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.lease_owner == ""
    assert job.rows.filter(state=RowState.DONE).count() == 4
    assert queued.count() == before + 1  # the rest, for any worker
    assert shop_job_task.call(job.pk) == "finished"
    assert job.rows.filter(state=RowState.DONE).count() == 6
