"""A run that also deletes upcoming vouchers (300 vouchers) on real `db_worker` processes, its
worker killed with SIGKILL mid-run, with delete_voucher requests in flight (Shopee answers after
50 ms, and applies a request whose client has died). A second worker resumes the run
(`tests.faults.workers`); each voucher the dead worker had a request in flight for is checked
with get_voucher first: "not found" means the dead worker's delete was applied.
"""

import pytest

from audit.models import ShopeeCall
from runs.models import EndRun, ItemState, RunStatus
from runs.services.create import run_create
from tests.faults.invariants import check_exactly_once
from tests.faults.invariants_delete import (
    CONFIRMED,
    check_deleted_exactly_once,
    check_deletion_database,
)
from tests.faults.shopee_log import DELETE, END, GET, ShopeeSide, check_audit_log_after_kill
from tests.faults.workers import run_resume, worker_kill_when, worker_pace
from vouchers.models import Voucher

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

KILL_AFTER_WRITES = 100  # of about 290: delete_voucher and end_voucher calls
CONCURRENCY = 8


def test_a_killed_worker_is_resumed_and_nothing_is_deleted_twice(
    sandbox, deletion_fleet, staff, settings, tmp_path
):
    fleet = deletion_fleet
    sandbox.control.set_faults(
        [{"path": path, "kind": "latency", "latency_ms": 50} for path in (DELETE, END, GET)]
    )
    pace = worker_pace(settings, concurrency=CONCURRENCY)
    run = run_create(
        vouchers=Voucher.objects.all(),
        actor=staff,
        selection="fault suite: deletes",
        delete_upcoming=True,
    )
    log = tmp_path / "worker.log"

    killed_at = worker_kill_when(
        lambda: len(sandbox.calls(DELETE)) + len(sandbox.calls(END)) >= KILL_AFTER_WRITES,
        log=log,
        pace=pace,
        what="the first deletes",
    )

    assert EndRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    done = run.items.filter(state__in=[ItemState.DELETED, ItemState.ENDED]).count()
    writes = len(fleet.deletable) + len(fleet.ongoing)
    assert KILL_AFTER_WRITES // 2 < done < writes - KILL_AFTER_WRITES  # mid-run
    # Requests were in flight: their items stay `sending`, their vouchers marked as sent.
    sending = set(
        run.items.filter(state=ItemState.SENDING).values_list("voucher_shopee_id", flat=True)
    )
    in_flight = len(sending)
    assert 1 <= in_flight <= CONCURRENCY
    assert Voucher.objects.filter(end_sent_at__isnull=False).count() == in_flight
    assert ShopeeCall.objects.filter(outcome="pending").count() <= in_flight

    run_resume(run, log=log, pace=pace)

    shopee = ShopeeSide(sandbox)
    resumed = [call for call in shopee.calls if call.time > killed_at]
    assert resumed, "the second worker sent nothing"
    unrecorded = check_audit_log_after_kill(shopee, in_flight=CONCURRENCY)
    check_deleted_exactly_once(shopee, fleet, unrecorded=unrecorded)
    check_exactly_once(shopee, fleet.ending, unrecorded=unrecorded)
    check_deletion_database(run, shopee, fleet, killed=True)
    # Exactly the vouchers in flight at the kill were checked with get_voucher, once each, and
    # exactly those whose write Shopee applied before the kill were recorded on its word. (The
    # worker may also die after logging Shopee's answer but before finishing the item: that
    # item too is settled by get_voucher.)
    assert len(shopee.on(GET)) == in_flight
    checked_at = {c.voucher_id: c.time for c in reversed(shopee.on(GET))}  # first check
    applied_in_flight = {
        c.voucher_id
        for c in shopee.calls
        if c.path in (DELETE, END)
        and c.succeeded
        and c.voucher_id in sending
        and c.time < checked_at.get(c.voucher_id, float("inf"))
    }
    assert run.items.filter(reason__contains=CONFIRMED).count() == len(applied_in_flight)
