"""Runs processed by real db_worker processes: resumed after SIGKILL, overlapping runs."""

import signal
from collections import Counter

import pytest

from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from tests.worker import start_worker, stop_worker, wait_for
from vouchers.models import EndRun, ShopeeCall, Voucher
from vouchers.models.run import RunStatus
from vouchers.services.runs.create import run_create

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
    # Every request Shopee received has its audit row; a row may be pending if the process died
    # after writing it, before or while sending.
    rows = {row.request_id for row in ShopeeCall.objects.exclude(request_id="")}
    answered = [call["request_id"] for call in sandbox.calls() if call["request_id"]]
    lost = [rid for rid in answered if rid not in rows]
    pending = ShopeeCall.objects.filter(outcome="pending").count()
    assert len(lost) <= pending <= 2
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
