"""Failures while ending: each leaves a clear audit row and an unchanged voucher."""

import time

import pytest

from tests.admin.helpers import ask_to_end, confirm, messages_of
from tests.factories import ShopTokenFactory, VoucherFactory
from vouchers.models import ShopeeCall, Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def ongoing(sandbox):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    return voucher


def end_through_admin(client, *vouchers):
    response = confirm(client, ask_to_end(client, vouchers))
    assert response.status_code == 200
    return response


def assert_unchanged(voucher, sandbox):
    record = Voucher.objects.get(pk=voucher.pk)
    assert record.ended_at is None
    assert record.end_time == voucher.end_time


def test_expired_token(merch_client, ongoing, sandbox, monkeypatch):
    sandbox.control.advance_clock(4 * 3600 + 60)
    monkeypatch.setattr("vouchers.shopee.client.wall_clock", lambda: time.time() + 4 * 3600 + 60)
    response = end_through_admin(merch_client, ongoing)

    row = ShopeeCall.objects.get()
    assert (row.outcome, row.error, row.error_kind) == ("refused", "error_auth", "authorization")
    assert row.message == "Invalid access_token."
    assert len(row.request_id) == 32
    assert any("Invalid access_token." in text for text in messages_of(response))
    assert_unchanged(ongoing, sandbox)


@pytest.mark.parametrize(
    ("fault", "expected_message", "http_status"),
    [
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
        (
            {"kind": "drop"},
            "The connection to Shopee failed or was dropped before an answer.",
            None,
        ),
    ],
    ids=["html-500", "timeout", "dropped"],
)
def test_no_usable_answer(merch_client, ongoing, sandbox, fault, expected_message, http_status):
    sandbox.control.set_faults([{"path": END, **fault}])
    response = end_through_admin(merch_client, ongoing)

    row = ShopeeCall.objects.get()
    assert (row.outcome, row.error_kind) == ("failed", "transient")
    assert row.message == expected_message
    assert row.http_status == http_status
    assert row.finished_at is not None
    assert row.response  # the excerpt or the network error, never empty
    assert any(expected_message in text for text in messages_of(response))
    assert_unchanged(ongoing, sandbox)


def test_html_500_keeps_the_page_excerpt(merch_client, ongoing, sandbox):
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "http_status",
                "status": 502,
                "content_type": "text/html",
                "body": "<html>upstream gateway exploded</html>",
            }
        ]
    )
    end_through_admin(merch_client, ongoing)
    row = ShopeeCall.objects.get()
    assert "upstream gateway exploded" in row.response["non_json_body"]


def test_a_lost_answer_is_not_reported_as_ended(merch_client, ongoing, sandbox):
    """Shopee ended it but the answer never came back: we must not claim either way."""
    sandbox.control.set_faults([{"path": END, "kind": "drop", "phase": "after"}])
    end_through_admin(merch_client, ongoing)
    assert ShopeeCall.objects.get().outcome == "failed"
    assert Voucher.objects.get(pk=ongoing.pk).ended_at is None


def test_a_rejected_token_stops_that_shop_without_more_calls(merch_client, sandbox):
    token = ShopTokenFactory()
    vouchers = [VoucherFactory(shop=token.shop) for _ in range(3)]
    sandbox.mirror()
    token.access_token = "0" * 32
    token.save()

    response = end_through_admin(merch_client, *vouchers)

    assert ShopeeCall.objects.count() == 1
    assert len(sandbox.calls(END)) == 1
    texts = messages_of(response)
    assert sum("Not attempted: Shopee refused this shop's access token" in t for t in texts) == 2
