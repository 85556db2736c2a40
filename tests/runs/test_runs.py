"""The run lifecycle: creation, scheduling, pacing, cancel, retry, configuration stop."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from runs.models import EndRun, RunStatus
from runs.services.control import run_cancel, run_progress, run_retry_failed
from runs.services.create import (
    SKIP_ALREADY_ENDED,
    SKIP_UPCOMING,
    run_create,
    run_plan,
)
from runs.services.engine import run_process
from tests.conftest import PARTNER_KEY
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.pages import finish_runs
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def user(db):
    return UserFactory()


def states(run):
    return dict(run_progress(run=run).counts)


def test_items_are_created_with_their_skip_reasons(sandbox, user):
    shop = ShopTokenFactory().shop
    ongoing = VoucherFactory(shop=shop)
    upcoming = VoucherFactory(shop=shop, upcoming=True)
    expired = VoucherFactory(shop=shop, expired=True)
    ended = VoucherFactory(shop=shop, ended_at=timezone.now())
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")

    # What Shopee's current word cannot change is decided at once; the rest after the read.
    items = {item.voucher_id: item for item in run.items.all()}
    assert (items[ended.pk].state, items[ended.pk].reason) == ("skipped", SKIP_ALREADY_ENDED)
    assert {items[v.pk].state for v in (ongoing, upcoming, expired)} == {"pending"}
    assert items[ongoing.pk].original_end_time == ongoing.end_time

    finish_runs()

    items = {item.voucher_id: item for item in run.items.all()}
    assert items[ongoing.pk].state == "ended"
    assert items[upcoming.pk].state == "skipped"
    assert items[upcoming.pk].reason.startswith(SKIP_UPCOMING + " (Shopee's list read at ")
    assert items[expired.pk].state == "skipped"
    assert items[expired.pk].reason.startswith("Not live at Shopee")
    assert all(items[v.pk].read_at for v in (ongoing, upcoming, expired))


def test_plan_counts_match_the_items(sandbox, user):
    for n in range(3):
        shop = ShopTokenFactory(shop=ShopFactory(name=f"S{n}")).shop
        VoucherFactory.create_batch(4, shop=shop)
        VoucherFactory.create_batch(2, shop=shop, is_admin=True)
    plan = run_plan(vouchers=Voucher.objects.all())
    assert (plan.total, plan.endable, plan.skipped) == (18, 12, 6)
    assert [(s.name, s.endable, s.skipped) for s in plan.shops] == [
        ("S0", 4, 2),
        ("S1", 4, 2),
        ("S2", 4, 2),
    ]
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    assert run.items.filter(state="pending").count() == plan.endable


def test_a_scheduled_run_waits_for_its_time(sandbox, user):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(
        vouchers=Voucher.objects.all(),
        actor=user,
        selection="one",
        end_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert run.status == RunStatus.SCHEDULED
    assert run_process(run_id=run.pk) == "scheduled"
    assert not sandbox.calls(END)
    time.sleep(1.1)
    finish_runs()
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    assert Voucher.objects.get(pk=voucher.pk).ended_at is not None


def test_a_voucher_that_starts_before_a_scheduled_end_is_endable_then(sandbox, user):
    VoucherFactory(
        shop=ShopTokenFactory().shop,
        start_time=timezone.now() + dt.timedelta(hours=1),
        end_time=timezone.now() + dt.timedelta(days=2),
    )
    at_midnight = timezone.now() + dt.timedelta(hours=5)
    assert run_plan(vouchers=Voucher.objects.all()).endable == 0
    assert run_plan(vouchers=Voucher.objects.all(), end_at=at_midnight).endable == 1


def test_cancel_stops_pending_items(sandbox, user):
    VoucherFactory.create_batch(5, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    assert run_cancel(run=run) == 5
    finish_runs()
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELED
    assert states(run)["canceled"] == 5
    assert not sandbox.calls(END)
    assert run_cancel(run=run) == 0


def test_retry_failed_items(sandbox, user, settings):
    settings.END_RUN_MAX_ATTEMPTS = 1
    VoucherFactory.create_batch(3, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "error_server",
                "message": "Internal server error",
                "times": 2,
            }
        ]
    )
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    finish_runs()
    assert states(run)["failed"] == 2 and states(run)["ended"] == 1

    # A retry starts the count again: the check after the lost answer is an attempt, the end too.
    settings.END_RUN_MAX_ATTEMPTS = 2
    assert run_retry_failed(run=run) == 2
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    finish_runs()
    assert states(run)["ended"] == 3
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    # The retried ones were checked with get_voucher first: the 5xx left it unknown.
    assert len(sandbox.calls("/api/v2/voucher/get_voucher")) == 2


def test_a_configuration_error_stops_the_run(sandbox, user, settings):
    VoucherFactory.create_batch(4, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    settings.SHOPEE_PARTNER_KEY = "wrong-key"
    finish_runs()
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert "Wrong sign." in run.stop_reason
    assert len(sandbox.calls(END)) <= settings.END_RUN_CONCURRENCY
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 0
    settings.SHOPEE_PARTNER_KEY = PARTNER_KEY
    assert run_retry_failed(run=run) == 4  # resumes what was left pending
    finish_runs()
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 4


def test_each_shop_is_paced(sandbox, user, settings):
    settings.END_RUN_SHOP_RPS = 5
    VoucherFactory.create_batch(6, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    finish_runs()
    times = sorted(call["time"] for call in sandbox.calls(END))
    assert len(times) == 6
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.15  # 5 a second, with some slack for timing


def test_a_shopee_outage_mid_run_waits_and_gives_no_voucher_up(sandbox, user, settings):
    """Shopee fails every call for a while: the run waits, one probe at a time, gives no item
    up (whatever its attempts), and ends every voucher once Shopee answers again."""
    settings.END_RUN_MAX_ATTEMPTS = 3
    settings.END_RUN_OUTAGE_CALLS = 4
    settings.END_RUN_OUTAGE_PROBE_SECONDS = 0.2
    VoucherFactory.create_batch(12, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, "kind": "http_status", "status": 502, "times": 12}])
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")

    finish_runs()

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.shopee_down_since is None
    assert run.items.filter(state="ended").count() == 12
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 12
    # 4 calls found Shopee down, then one probe at a time until the 12 failures were spent.
    ends = sandbox.calls(END)
    times = [call["time"] for call in ends[4:13]]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.15


def test_the_run_page_says_it_waits_for_shopee(sandbox, user, merch_client):
    VoucherFactory(shop=ShopTokenFactory().shop)
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    EndRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, shopee_down_since=timezone.now()
    )
    page = merch_client.get(f"/admin/runs/endrun/{run.pk}/change/").content.decode()
    assert "Waiting for Shopee since" in page


def test_a_wait_longer_than_the_longest_stops_the_run_and_retry_goes_on(sandbox, user, settings):
    settings.END_RUN_OUTAGE_CALLS = 3
    settings.END_RUN_OUTAGE_PROBE_SECONDS = 0.2
    settings.END_RUN_OUTAGE_MAX_WAIT_SECONDS = 0.6
    VoucherFactory.create_batch(6, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, "kind": "http_status", "status": 502}])
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")

    finish_runs()

    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert "Shopee failed every call" in run.stop_reason
    assert run.items.filter(state="failed").count() == 0  # nothing given up
    sandbox.control.clear_faults()
    assert run_retry_failed(run=run) == 6
    finish_runs()
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    assert Voucher.objects.filter(ended_at__isnull=False).count() == 6


def test_retry_settles_an_end_in_flight_with_get_voucher_before_any_skip(sandbox, user, settings):
    """Shopee ended the voucher but our answer was lost, and the item was given up: Retry reads
    Shopee's lists again (the voucher is no longer live there) and must ask get_voucher, not
    skip it as "Not live at Shopee": it was ended by this run (issue 18)."""
    settings.END_RUN_MAX_ATTEMPTS = 1
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, "kind": "drop", "phase": "after"}])
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    finish_runs()
    item = run.items.get()
    assert item.state == "failed"
    assert Voucher.objects.get(pk=voucher.pk).end_sent_at is not None

    sandbox.control.clear_faults()
    settings.END_RUN_MAX_ATTEMPTS = 8
    assert run_retry_failed(run=run) == 1
    finish_runs()

    item.refresh_from_db()
    assert item.state == "ended", item.reason
    assert "confirmed with get_voucher" in item.reason
    assert len(sandbox.calls(END)) == 1  # never sent again
    assert Voucher.objects.get(pk=voucher.pk).ended_at is not None
