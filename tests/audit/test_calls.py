"""Every attempted call leaves one audit row, written before the request leaves."""

import pytest

from audit.models import ShopeeCall
from audit.services.calls import shopee_call
from shopee import api
from shopee.client import ShopAuth, ShopeeClient, get_client
from tests.conftest import PARTNER_KEY
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def test_a_row_is_pending_while_the_call_is_in_flight(sandbox, monkeypatch):
    voucher = VoucherFactory()
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    seen = {}

    def send_and_look(self, prepared):
        seen["row"] = ShopeeCall.objects.get()
        raise KeyboardInterrupt  # the process dies mid-call

    monkeypatch.setattr(ShopeeClient, "send", send_and_look)
    with pytest.raises(KeyboardInterrupt):
        shopee_call(
            client=get_client(),
            api=api.end_voucher(voucher_id=voucher.voucher_id),
            shop=voucher.shop,
            shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
            voucher=voucher,
            actor=UserFactory(),
        )
    row = ShopeeCall.objects.get()
    assert seen["row"].pk == row.pk
    assert row.outcome == "pending"
    assert row.finished_at is None
    assert row.request["body"] == {"voucher_id": voucher.voucher_id}
    assert row.request["query"]["sign"] == "[redacted]"


def test_snapshots_survive_deleting_the_voucher_shop_and_user(sandbox):
    voucher = VoucherFactory(voucher_code="KEEPME")
    token = ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    user = UserFactory(username="gone-later")
    shopee_call(
        client=get_client(),
        api=api.end_voucher(voucher_id=voucher.voucher_id),
        shop=voucher.shop,
        shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
        voucher=voucher,
        actor=user,
    )
    shop_id = token.shop.shop_id
    voucher.shop.delete()
    user.delete()
    row = ShopeeCall.objects.get()
    assert (row.shop, row.voucher, row.actor) == (None, None, None)
    assert row.actor_username == "gone-later"
    assert row.shop_shopee_id == shop_id
    assert (row.voucher_shopee_id, row.voucher_code) == (voucher.voucher_id, "KEEPME")
    assert row.outcome == "success"
    assert PARTNER_KEY not in str(row.request) + str(row.response)


def test_a_batch_of_calls_is_recorded_in_order_and_completed_only_while_pending(sandbox):
    """The dispatcher's batches: one INSERT of pending rows (ids in order, nothing secret),
    then one UPDATE run for every answer; a row closed meanwhile keeps its first word."""
    from audit.services.calls import (
        call_log_close_unanswered,
        call_log_finish_many,
        call_log_start_many,
    )
    from shopee.client import ShopeeResult
    from shopee.errors import ShopeeTransientError

    vouchers = [VoucherFactory(voucher_code=f"BATCH{n}") for n in range(3)]
    client = get_client()
    entries = [
        {
            "prepared": client.prepare(
                api.end_voucher(voucher_id=voucher.voucher_id),
                shop=ShopAuth(voucher.shop.shop_id, "secret-token-value"),
            ),
            "actor": None,
            "actor_label": "bench",
            "shop": voucher.shop,
            "voucher": voucher,
            "batch_id": None,
            "attempt": n + 1,
        }
        for n, voucher in enumerate(vouchers)
    ]
    rows = call_log_start_many(entries)
    stored = list(ShopeeCall.objects.order_by("pk"))
    assert [row.pk for row in rows] == [row.pk for row in stored]
    assert [row.voucher_code for row in stored] == ["BATCH0", "BATCH1", "BATCH2"]
    assert [row.attempt for row in stored] == [1, 2, 3]
    assert {row.outcome for row in stored} == {"pending"}
    assert stored[0].request["query"]["access_token"] == "[redacted]"
    assert "secret-token-value" not in str([row.request for row in stored])

    call_log_close_unanswered(
        rows=ShopeeCall.objects.filter(pk=rows[2].pk), message="no answer: checked"
    )
    ok = ShopeeResult(
        http_status=200,
        request_id="req-ok",
        message="",
        warning=None,
        body={"request_id": "req-ok", "error": "", "response": {"voucher_id": 1}},
        duration_ms=120,
    )
    failure = ShopeeTransientError("Shopee's server failed.", http_status=502, request_id="req-5")
    failure.duration_ms = 30
    call_log_finish_many([(rows[0], ok, None), (rows[1], None, failure), (rows[2], ok, None)])

    first, second, third = ShopeeCall.objects.order_by("pk")
    assert (first.outcome, first.request_id, first.http_status) == ("success", "req-ok", 200)
    assert first.response == {"request_id": "req-ok", "error": "", "response": {"voucher_id": 1}}
    assert (first.duration_ms, first.error_kind) == (120, "")
    assert first.finished_at is not None
    assert (second.outcome, second.http_status, second.request_id) == ("failed", 502, "req-5")
    assert (second.error_kind, second.message) == ("transient", "Shopee's server failed.")
    assert (third.outcome, third.message, third.request_id) == ("failed", "no answer: checked", "")


def test_an_answer_is_logged_as_shopee_sent_it_and_searchable(sandbox):
    """A list page's answer is stored from its text as received (not dumped again): the same
    JSON, escaped non-ASCII names and amounts included, and the database reads it as JSON."""
    voucher = VoucherFactory(voucher_name="Khuyến mãi 12.12 & more", discount_amount="12.50")
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    result = shopee_call(
        client=get_client(),
        api=api.get_voucher_list(status="ongoing"),
        shop=voucher.shop,
        shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
        actor_label="test",
    )
    assert result.text is not None  # stored as received
    row = ShopeeCall.objects.get()
    assert row.response == result.body
    (listed,) = row.response["response"]["voucher_list"]
    assert listed["voucher_name"] == "Khuyến mãi 12.12 & more"
    assert ShopeeCall.objects.filter(response__request_id=result.request_id).get() == row


def test_an_answer_with_a_secret_is_logged_redacted_not_as_sent(sandbox, settings):
    token = ShopTokenFactory()
    sandbox.mirror()
    result = shopee_call(
        client=get_client(),
        api=api.access_token_get(
            refresh_token=token.refresh_token,
            partner_id=int(settings.SHOPEE_PARTNER_ID),
            shop_id=token.shop.shop_id,
        ),
        shop=token.shop,
        actor_label="test",
    )
    assert result.text is None  # names a secret: never stored as received
    row = ShopeeCall.objects.get()
    assert row.response["access_token"] == "[redacted]"
    assert result.body["access_token"] not in str(row.response)
