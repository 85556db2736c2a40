"""Failures while ending: clear audit rows, retries within limits, and no false "ended"."""

import time

import pytest

from audit.models import ShopeeCall
from runs.models import EndRun
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.pages import ask_to_end, confirm, finish_runs, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"
GET = "/api/v2/voucher/get_voucher"
LIST = "/api/v2/voucher/get_voucher_list"
REFRESH = "/api/v2/auth/access_token/get"
# Before anything is sent, a run reads the shop's ongoing and upcoming vouchers.
READ = [(LIST, "success", 1), (LIST, "success", 1)]


@pytest.fixture
def ongoing(sandbox):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    return voucher


def end_through_admin(client, *vouchers):
    confirm(client, ask_to_end(client, vouchers))
    finish_runs()
    run = EndRun.objects.get()
    return run, text_of(client.get(f"/admin/runs/endrun/{run.pk}/change/"))


def assert_unchanged(voucher):
    record = Voucher.objects.get(pk=voucher.pk)
    assert record.ended_at is None
    # Shopee keeps whole seconds: a read of its list may round our copy.
    assert record.end_time.replace(microsecond=0) == voucher.end_time.replace(microsecond=0)


def calls_made():
    return [(r.endpoint, r.outcome, r.attempt) for r in ShopeeCall.objects.order_by("id")]


def writes_made():
    """The calls after the run's read of Shopee's lists (which comes first)."""
    calls = calls_made()
    assert calls[:2] == READ
    return calls[2:]


def expire_tokens_at_shopee(sandbox, monkeypatch):
    """Four hours pass at Shopee (and on our request timestamps), not in the database."""
    sandbox.control.advance_clock(4 * 3600 + 60)
    monkeypatch.setattr("shopee.client.wall_clock", lambda: time.time() + 4 * 3600 + 60)


def test_expired_token_is_refreshed_and_the_call_retried(
    merch_client, ongoing, sandbox, monkeypatch
):
    expire_tokens_at_shopee(sandbox, monkeypatch)
    run, _ = end_through_admin(merch_client, ongoing)

    # The run's first call, reading Shopee's list, meets the expired token: refresh, retry.
    assert calls_made() == [
        (LIST, "refused", 1),
        (REFRESH, "success", 1),
        (LIST, "success", 2),
        (LIST, "success", 1),
        (END, "success", 1),
    ]
    assert ShopeeCall.objects.order_by("id").first().message == "Invalid access_token."
    assert Voucher.objects.get(pk=ongoing.pk).ended_at is not None
    assert run.items.get().state == "ended"


def test_expired_token_that_cannot_be_refreshed(merch_client, ongoing, sandbox, monkeypatch):
    token = ongoing.shop.token
    token.refresh_token = "9" * 32  # Shopee no longer knows it
    token.save()
    expire_tokens_at_shopee(sandbox, monkeypatch)

    run, page = end_through_admin(merch_client, ongoing)

    rows = list(ShopeeCall.objects.order_by("id"))
    assert [(r.endpoint, r.outcome, r.error) for r in rows] == [
        (LIST, "refused", "error_auth"),
        (REFRESH, "refused", "error_auth"),
    ]
    assert rows[0].message == "Invalid access_token."
    assert all(len(row.request_id) == 32 for row in rows)
    assert "Invalid refresh_token." in page
    assert run.items.get().state == "failed"
    assert_unchanged(ongoing)
    ongoing.shop.refresh_from_db()
    assert ongoing.shop.needs_reauth
    assert "Invalid refresh_token." in ongoing.shop.needs_reauth_reason


FAULTS = [
    (
        {
            "kind": "http_status",
            "status": 500,
            "content_type": "text/html",
            "body": "<html><h1>500 Internal Server Error</h1></html>",
        },
        "Shopee answered HTTP 500 with a body that is not JSON.",
        500,
    ),
    ({"kind": "hang", "hang_seconds": 3}, "No answer from Shopee within 1 s (timeout).", None),
    ({"kind": "drop"}, "The connection to Shopee failed or was dropped before an answer.", None),
]
FAULT_IDS = ["html-500", "timeout", "dropped"]


@pytest.mark.parametrize(("fault", "message", "http_status"), FAULTS, ids=FAULT_IDS)
def test_no_usable_answer_is_retried_within_limits(
    merch_client, ongoing, sandbox, settings, fault, message, http_status
):
    settings.END_RUN_MAX_ATTEMPTS = 3
    sandbox.control.set_faults([{"path": END, **fault}])
    run, page = end_through_admin(merch_client, ongoing)

    # Each failed end is checked with get_voucher before it is sent again.
    assert writes_made() == [(END, "failed", 1), (GET, "success", 2), (END, "failed", 3)]
    failed = ShopeeCall.objects.filter(endpoint=END)
    for row in failed:
        assert (row.error_kind, row.message, row.http_status) == ("transient", message, http_status)
        assert row.finished_at is not None and row.response
    item = run.items.get()
    assert item.state == "failed" and item.attempts == 3
    assert "Gave up after 3 attempts" in item.reason and message in page
    assert_unchanged(ongoing)


@pytest.mark.parametrize(("fault", "message", "http_status"), FAULTS, ids=FAULT_IDS)
def test_a_passing_failure_is_retried_and_succeeds(
    merch_client, ongoing, sandbox, fault, message, http_status
):
    sandbox.control.set_faults([{"path": END, "times": 1, **fault}])
    run, _ = end_through_admin(merch_client, ongoing)
    assert writes_made() == [(END, "failed", 1), (GET, "success", 2), (END, "success", 3)]
    assert run.items.get().state == "ended"
    assert Voucher.objects.get(pk=ongoing.pk).ended_at is not None


def test_a_lost_answer_is_reconciled_not_sent_twice(merch_client, ongoing, sandbox):
    """Shopee ended it but the answer never came back: get_voucher tells, nothing is resent."""
    sandbox.control.set_faults([{"path": END, "kind": "drop", "phase": "after"}])
    run, page = end_through_admin(merch_client, ongoing)

    assert writes_made() == [(END, "failed", 1), (GET, "success", 2)]
    assert len(sandbox.calls(END)) == 1
    item = run.items.get()
    assert item.state == "ended" and "confirmed with get_voucher" in item.reason
    voucher = Voucher.objects.get(pk=ongoing.pk)
    assert voucher.ended_at is not None and voucher.end_sent_at is None


def test_business_refusals_are_not_retried(merch_client, ongoing, sandbox):
    refusal = "The Voucher created in Shopee admin/Shop Game/Follow Prize can't be updated"
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "voucher.operate_voucher_permission_error",
                "message": refusal,
            }
        ]
    )
    run, page = end_through_admin(merch_client, ongoing)
    assert writes_made() == [(END, "refused", 1)]
    assert run.items.get().state == "refused"
    assert "can't be updated" in page


def test_a_voucher_shopee_now_manages_is_skipped_before_any_call(merch_client, ongoing, sandbox):
    sandbox.mirror(changes={ongoing: {"is_admin": True}})
    run, page = end_through_admin(merch_client, ongoing)
    assert writes_made() == []
    item = run.items.get()
    assert item.state == "skipped" and "Managed by Shopee" in item.reason


def test_rate_limit_backs_off_and_succeeds(merch_client, ongoing, sandbox):
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "error_rate_limit",
                "message": "Too many requests",
                "status": 429,
                "times": 2,
            }
        ]
    )
    run, _ = end_through_admin(merch_client, ongoing)
    # A rate-limited request was not applied: no get_voucher check is needed before resending.
    assert writes_made() == [(END, "refused", 1), (END, "refused", 2), (END, "success", 3)]
    assert run.items.get().state == "ended"


def test_a_rejected_token_stops_that_shop_without_more_calls(merch_client, sandbox):
    token = ShopTokenFactory()
    vouchers = [VoucherFactory(shop=token.shop) for _ in range(3)]
    sandbox.mirror()
    token.access_token = "0" * 32
    token.refresh_token = "1" * 32
    token.save()

    run, page = end_through_admin(merch_client, *vouchers)

    # The read of Shopee's list is refused and the refresh too: nothing is sent for the shop.
    assert not sandbox.calls(END)
    assert ShopeeCall.objects.count() == 2  # the refused read and the refused refresh
    assert set(run.items.values_list("state", flat=True)) == {"failed"}
    assert all("could not be read" in item.reason for item in run.items.all())
    assert "Invalid refresh_token." in page and "nothing was sent" in page
