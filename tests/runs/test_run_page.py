"""The run's progress page: counts, refresh while active, Cancel and Retry failed items."""

import pytest
from django.urls import reverse

from runs.models import EndRun, RunStatus
from runs.services.create import run_create
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from tests.pages import finish_runs, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def run(sandbox, merchandiser):
    VoucherFactory.create_batch(4, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    return run_create(vouchers=Voucher.objects.all(), actor=merchandiser, selection="4 selected")


def page(client, run):
    return client.get(reverse("admin:runs_endrun_change", args=[run.pk]))


def test_an_active_run_refreshes_itself_and_can_be_canceled(merch_client, run, sandbox):
    response = page(merch_client, run)
    assert '<meta http-equiv="refresh" content="3">' in response.content.decode()
    assert "0 of 4 done (0%)" in text_of(response)
    assert "4 pending" in text_of(response)

    cancel = merch_client.post(reverse("admin:runs_endrun_cancel", args=[run.pk]), follow=True)
    assert "4 pending vouchers will not be ended" in text_of(cancel)
    finish_runs()
    done = page(merch_client, run)
    assert 'http-equiv="refresh"' not in done.content.decode()
    assert "4 canceled" in text_of(done)
    assert not sandbox.calls(END)


def test_failures_show_shopee_words_and_can_be_retried(merch_client, run, sandbox, settings):
    settings.END_RUN_MAX_ATTEMPTS = 1
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "error_server",
                "message": "Internal server error",
                "times": 4,
            }
        ]
    )
    finish_runs()
    response = page(merch_client, run)
    failed = text_of(response)
    assert "4 failed" in failed and "Internal server error" in failed
    assert 'value="Retry failed items (4)"' in response.content.decode()

    # A retry checks first (get_voucher: the 5xx left it unknown), then ends: two attempts.
    settings.END_RUN_MAX_ATTEMPTS = 2
    retried = merch_client.post(reverse("admin:runs_endrun_retry", args=[run.pk]), follow=True)
    assert "Retrying 4 failed vouchers." in text_of(retried)
    finish_runs()
    assert "4 ended" in text_of(page(merch_client, run))
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED


def test_viewers_see_progress_but_cannot_cancel_or_retry(client, run):
    client.force_login(
        UserFactory(username="watcher", permissions=["runs.view_endrun", "shops.view_all_shops"])
    )
    response = page(client, run)
    assert response.status_code == 200
    assert b"run-cancel" not in response.content
    assert client.post(reverse("admin:runs_endrun_cancel", args=[run.pk])).status_code == 403
    assert client.get(reverse("admin:runs_endrun_cancel", args=[run.pk])).status_code == 403
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_an_unknown_run_is_not_a_traceback(merch_client, db):
    response = merch_client.get("/admin/runs/endrun/999999/change/", follow=True)
    assert response.status_code == 200
    response = merch_client.get("/admin/runs/endrun/abc/change/", follow=True)
    assert response.status_code == 200
