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


def expire_tokens_at_shopee(sandbox, monkeypatch):
    """Four hours pass at Shopee (and on our request timestamps), not in the database."""
    sandbox.control.advance_clock(4 * 3600 + 60)
    monkeypatch.setattr("vouchers.shopee.client.wall_clock", lambda: time.time() + 4 * 3600 + 60)


def test_expired_token_is_refreshed_and_the_call_retried(
    merch_client, ongoing, sandbox, monkeypatch
):
    expire_tokens_at_shopee(sandbox, monkeypatch)
    end_through_admin(merch_client, ongoing)

    rows = list(ShopeeCall.objects.order_by("started_at", "id"))
    assert [(r.endpoint, r.outcome, r.attempt) for r in rows] == [
        (END, "refused", 1),
        ("/api/v2/auth/access_token/get", "success", 1),
        (END, "success", 2),
    ]
    assert rows[0].message == "Invalid access_token."
    assert Voucher.objects.get(pk=ongoing.pk).ended_at is not None


def test_expired_token_that_cannot_be_refreshed(merch_client, ongoing, sandbox, monkeypatch):
    token = ongoing.shop.token
    token.refresh_token = "9" * 32  # Shopee no longer knows it
    token.save()
    expire_tokens_at_shopee(sandbox, monkeypatch)

    response = end_through_admin(merch_client, ongoing)

    rows = list(ShopeeCall.objects.order_by("started_at", "id"))
    assert [(r.endpoint, r.outcome, r.error) for r in rows] == [
        (END, "refused", "error_auth"),
        ("/api/v2/auth/access_token/get", "refused", "error_auth"),
    ]
    assert rows[0].message == "Invalid access_token."
    assert all(len(row.request_id) == 32 for row in rows)
    assert any("Invalid refresh_token." in text for text in messages_of(response))
    assert_unchanged(ongoing, sandbox)
    ongoing.shop.refresh_from_db()
    assert ongoing.shop.needs_reauth
    assert "Invalid refresh_token." in ongoing.shop.needs_reauth_reason


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
    token.refresh_token = "1" * 32
    token.save()

    response = end_through_admin(merch_client, *vouchers)

    assert ShopeeCall.objects.count() == 2  # the refused call and the refused refresh
    assert len(sandbox.calls(END)) == 1
    texts = messages_of(response)
    assert sum("Not attempted: this shop cannot be called" in t for t in texts) == 2
