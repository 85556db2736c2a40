"""Shopee applies a delete_voucher after our client gave up on it (slower than the timeout).

As with end_voucher (test_slow_shopee), our side cannot know in time: the get_voucher check,
sent after the timeout, arrives while Shopee is still working on the first request and finds
the voucher, so delete_voucher is sent a second time. The first request then deletes the
voucher, and the second is answered `common.error_not_found`. The voucher, deleted at Shopee by
our own request, must be recorded as deleted, not as refused.

Timing (client timeout 1 s): the first delete_voucher is answered after 1.4 s (applied at
1.4 s), the second after 0.5 s, so Shopee handles it after the first.
"""

import pytest

from audit.models import ShopeeCall
from runs.models import ItemState
from runs.services.create import run_create
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.faults.shopee_log import DELETE, GET, LIST, NOT_FOUND
from tests.pages import finish_runs
from vouchers.models import Voucher

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def delete_run(sandbox, staff, faults):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop, upcoming=True)
    sandbox.mirror()
    sandbox.control.set_faults(faults)
    run = run_create(
        vouchers=Voucher.objects.all(), actor=staff, selection="slow Shopee", delete_upcoming=True
    )
    finish_runs()
    # The run reads the shop's two lists first (ongoing, upcoming); the rest is the item's.
    calls = sorted(sandbox.calls(), key=lambda call: call["time"])
    assert [call["path"] for call in calls[:2]] == [LIST, LIST]
    return voucher, run, calls[2:]


def answers_of(calls):
    return [(call["path"], (call["response"] or {}).get("error")) for call in calls]


def test_a_delete_applied_after_our_timeout_is_recorded_as_deleted(sandbox, staff):
    voucher, run, calls = delete_run(
        sandbox,
        staff,
        [
            {"path": DELETE, "kind": "latency", "latency_ms": 900, "times": 1},
            {"path": DELETE, "kind": "latency", "latency_ms": 500, "times": 2},
        ],
    )

    # Shopee's side: deleted once, by our first request; the resend came after our check. (If
    # timing did not give this race, fail outright rather than count it as the bug.)
    answers = answers_of(calls)
    if answers[:2] != [(DELETE, ""), (GET, "")]:
        pytest.fail(f"the race did not happen as planned: {answers}")
    # Told the voucher is not found after a delete of ours without answer: ours was applied.
    assert answers[2:] == [(DELETE, NOT_FOUND)]
    rows = [(row.endpoint, row.outcome) for row in ShopeeCall.objects.order_by("id")][2:]
    assert rows == [(DELETE, "failed"), (GET, "success"), (DELETE, "refused")]
    assert sandbox.voucher(voucher.voucher_id) is None

    # Our side should say what Shopee did: deleted, through shopadmin.
    item = run.items.get()
    assert item.state == ItemState.DELETED, (item.state, item.reason)
    assert "applied after our check" in item.reason
    assert item.request_id == calls[2]["request_id"]
    deleted = Voucher.objects.get(pk=voucher.pk)
    assert deleted.deleted_at is not None and deleted.deleted_by == staff


def test_a_voucher_not_found_by_our_first_delete_is_not_recorded_as_deleted(sandbox, staff):
    """Without a delete of ours that went unanswered, "not found" means someone else deleted
    it (in Seller Centre, since the run read Shopee's lists): a refusal, not our deletion."""
    voucher, run, calls = delete_run(
        sandbox,
        staff,
        [
            {
                "path": DELETE,
                "kind": "shopee_error",
                "error": NOT_FOUND,
                "message": "The information you queried is not found.",
                "times": 1,
            }
        ],
    )

    assert answers_of(calls) == [(DELETE, NOT_FOUND)]
    item = run.items.get()
    assert (item.state, item.error) == (ItemState.REFUSED, NOT_FOUND)
    assert Voucher.objects.get(pk=voucher.pk).deleted_at is None
