"""A run whose worker died: taken over in time, its leftovers in the call log closed (issue 18)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ShopeeCall
from runs.models import EndRun, ItemState, RunStatus
from runs.services.create import run_create
from runs.services.engine import run_process
from shopee.api import GET_VOUCHER, GET_VOUCHER_LIST
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from tests.pages import finish_runs
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def user(db):
    return UserFactory()


def dead_worker_left(run, *, died_seconds_ago, lease_seconds):
    """The run as a worker that died `died_seconds_ago` (having just renewed its lease) left it."""
    died = timezone.now() - dt.timedelta(seconds=died_seconds_ago)
    EndRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        started_at=died,
        read_at=died,
        lease_owner="dead",
        lease_until=died + dt.timedelta(seconds=lease_seconds),
        watchdog_at=None,
    )
    return died


def pending_row(run, *, endpoint, voucher=None):
    return ShopeeCall.objects.create(
        started_at=timezone.now(),
        actor_username=run.created_by_username,
        shop=voucher.shop if voucher else None,
        voucher=voucher,
        voucher_shopee_id=voucher.voucher_id if voucher else None,
        batch_id=run.public_id,
        endpoint=endpoint,
        method="GET" if endpoint != END else "POST",
    )


def test_the_watchdog_of_a_dead_workers_run_is_due_when_its_lease_ends(sandbox, user, settings):
    """The worker died 15 s into its 20 s lease: the watchdog that finds the run busy now must
    come back when the lease ends (5 s from now), not a whole lease later, so the run resumes
    within 30 s of the death (README). It used to be planned lease + 2 s from now: 37 s."""
    settings.END_RUN_LEASE_SECONDS = 20
    VoucherFactory(shop=ShopTokenFactory().shop)
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    died = dead_worker_left(run, died_seconds_ago=15, lease_seconds=20)
    lease_until = EndRun.objects.get(pk=run.pk).lease_until
    DBTaskResult.objects.all().delete()

    assert run_process(run_id=run.pk, watchdog=True) == "busy"

    watchdog = DBTaskResult.objects.get(args_kwargs__kwargs__watchdog=True)
    assert lease_until < watchdog.run_after <= lease_until + dt.timedelta(seconds=2)
    assert (watchdog.run_after - died).total_seconds() < 30
    planned = EndRun.objects.get(pk=run.pk).watchdog_at
    assert abs((planned - watchdog.run_after).total_seconds()) < 1


def test_pending_rows_a_dead_worker_left_are_closed_with_what_get_voucher_told(sandbox, user):
    """Two end_voucher requests were in flight when the worker died (Shopee applied one), and a
    list read: on resume nothing stays pending, each row says what the get_voucher check
    learnt, no row is deleted, and the voucher Shopee had ended is not ended again."""
    shop = ShopTokenFactory().shop
    applied, lost = VoucherFactory(shop=shop), VoucherFactory(shop=shop)
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    dead_worker_left(run, died_seconds_ago=30, lease_seconds=5)
    run.items.update(state=ItemState.SENDING, attempts=1)
    Voucher.objects.update(end_sent_at=timezone.now())
    rows = {
        "applied": pending_row(run, endpoint=END, voucher=applied),
        "lost": pending_row(run, endpoint=END, voucher=lost),
        "check": pending_row(run, endpoint=GET_VOUCHER, voucher=lost),
        "read": pending_row(run, endpoint=GET_VOUCHER_LIST),
    }
    ended_at_shopee = int((timezone.now() - dt.timedelta(seconds=20)).timestamp())
    sandbox.mirror(changes={applied: {"end_time": ended_at_shopee}})

    finish_runs()

    assert dict(run.items.values_list("voucher_id", "state")) == {
        applied.pk: ItemState.ENDED,
        lost.pk: ItemState.ENDED,
    }
    assert [call["body"]["voucher_id"] for call in sandbox.calls(END)] == [lost.voucher_id]
    assert not ShopeeCall.objects.filter(outcome="pending").exists()
    closed = {name: ShopeeCall.objects.get(pk=row.pk) for name, row in rows.items()}
    assert {name: (row.outcome, row.message) for name, row in closed.items()} == {
        "applied": ("failed", "no answer: checked with get_voucher, ended"),
        "lost": ("failed", "no answer: checked with get_voucher, not ended"),
        "check": ("failed", "no answer (worker stopped)"),
        "read": ("failed", "no answer (worker stopped)"),
    }
    assert all(row.finished_at for row in closed.values())
    # Two checks and the end sent again, besides the four rows the dead worker left.
    assert ShopeeCall.objects.filter(batch_id=run.public_id).count() == 4 + 3
