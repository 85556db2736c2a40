"""The control API: reset with defaults, state, calls log, clock, settings and rate limiting."""

import time

import pytest
import requests

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import (
    END_VOUCHER,
    LIST,
    ONGOING,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP2_ID,
    SHOP_ID,
    TOKEN,
    TOKEN2,
    assert_error,
    world_document,
)


def test_health(control):
    assert control.health()


def test_reset_fills_in_defaults(control, shopee):
    now = int(time.time())
    assert control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": [{"shop_id": SHOP_ID, "partner_id": PARTNER_ID}],
            "vouchers": [
                {"shop_id": SHOP_ID, "voucher_id": 5, "start_time": now - 10, "end_time": now + 100}
            ],
        }
    ) == {"ok": True}
    state = control.state()
    shop = state["shops"][0]
    assert (shop["name"], shop["region"]) == (f"Shop {SHOP_ID}", "SG")
    assert len(shop["access_token"]) == 32 and len(shop["refresh_token"]) == 32
    assert shop["access_token_expires_at"] == pytest.approx(state["now"] + 14400, abs=2)
    voucher = state["vouchers"][0]
    assert voucher == {
        "shop_id": SHOP_ID,
        "voucher_id": 5,
        "voucher_code": "V5",
        "voucher_name": "Voucher 5",
        "start_time": now - 10,
        "end_time": now + 100,
        "display_start_time": now - 10,
        "voucher_type": 1,
        "reward_type": 1,
        "usage_quantity": 100,
        "current_usage": 0,
        "is_admin": False,
        "voucher_purpose": 0,
        "discount_amount": 10.0,
        "percentage": 0,
        "min_basket_price": 0,
        "max_price": 0,
        "display_channel_list": [1],
        "item_id_list": [],
    }
    payload = shopee.get(5, access_token=shop["access_token"])
    assert payload["response"]["voucher_code"] == "V5"


def test_reset_tokens_are_valid_for_4_hours_from_the_reset(control, shopee):
    control.advance_clock(4 * 3600 + 5)
    assert shopee.get(ONGOING)["error"] == "error_auth"
    control.reset(world_document(int(time.time())))
    assert shopee.get(ONGOING)["error"] == ""


def test_reset_clears_the_clock_calls_faults_and_rate_limit(control, shopee):
    control.advance_clock(1000)
    control.set_faults([{"path": LIST, "kind": "drop"}])
    control.set_rate_limit(1)
    shopee.get(ONGOING)
    control.reset(world_document(int(time.time())))
    assert abs(control.now() - time.time()) <= 2
    assert control.calls() == [] and control.faults() == []
    assert control.state()["rate_limit_per_shop"] is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "the body must be a JSON object"),
        ({"partners": [{"partner_id": "1", "partner_key": "k"}]}, "partners[0]: partner_id"),
        ({"shops": [{"shop_id": 1, "partner_id": 9}]}, "shops[0]: unknown partner_id 9"),
        ({"vouchers": [{"shop_id": 1, "voucher_id": 1}]}, "vouchers[0]: unknown shop_id 1"),
    ],
)
def test_a_malformed_reset_document_is_refused_and_changes_nothing(control, shopee, doc, message):
    with pytest.raises(SandboxControlError) as refused:
        control.reset(doc)
    assert refused.value.status == 400
    assert message in refused.value.payload["error"]
    assert shopee.get(ONGOING)["error"] == ""


def test_state_shows_current_tokens_and_vouchers(control, shopee):
    state = control.state()
    assert {p["partner_id"] for p in state["partners"]} == {PARTNER_ID, 3001000}
    shop = next(s for s in state["shops"] if s["shop_id"] == SHOP_ID)
    assert shop["access_token"] == TOKEN
    assert {v["voucher_id"] for v in state["vouchers"] if v["shop_id"] == SHOP_ID} >= {ONGOING}
    shopee.end(ONGOING)
    voucher = next(v for v in control.state()["vouchers"] if v["voucher_id"] == ONGOING)
    assert voucher["end_time"] <= control.now()


def test_the_calls_log_records_every_shopee_side_request(control, shopee):
    shopee.get(ONGOING)
    payload = shopee.end(ONGOING)
    shopee.shop("POST", END_VOUCHER, data=b"not json")
    control.state()  # control calls are not logged
    calls = control.calls()
    assert [c["path"] for c in calls] == ["/api/v2/voucher/get_voucher", END_VOUCHER, END_VOUCHER]
    call = calls[1]
    assert set(call) == {
        "time",
        "method",
        "path",
        "query",
        "body",
        "shop_id",
        "status",
        "response",
        "request_id",
        "fault",
    }
    assert call["method"] == "POST" and call["body"] == {"voucher_id": ONGOING}
    assert call["query"]["shop_id"] == str(SHOP_ID) and call["query"]["access_token"] == TOKEN
    assert (call["shop_id"], call["status"], call["fault"]) == (SHOP_ID, 200, None)
    assert call["response"] == payload and call["request_id"] == payload["request_id"]
    assert abs(call["time"] - time.time()) < 5
    assert calls[0]["body"] is None and calls[2]["body"] == "not json"
    control.clear_calls()
    assert control.calls() == []


def test_the_clock_only_moves_forward(control):
    before = control.now()
    assert control.advance_clock(3600) >= before + 3600
    assert control.now() >= before + 3600
    with pytest.raises(SandboxControlError) as refused:
        control.advance_clock(-1)
    assert refused.value.status == 400


def test_rate_limit_per_shop(control, shopee):
    control.set_rate_limit(1)
    assert shopee.get(ONGOING)["error"] == ""
    response = shopee.shop("GET", LIST, params={"status": "all"})
    assert_error(response, "error_rate_limit", "Too many requests, please try again later.", 429)
    other = shopee.shop(
        "GET", LIST, params={"status": "all"}, shop_id=SHOP2_ID, access_token=TOKEN2
    )
    assert other.json()["error"] == ""  # each shop has its own budget
    assert control.calls()[-2]["status"] == 429
    time.sleep(1.05)
    assert shopee.get(ONGOING)["error"] == ""
    control.set_rate_limit(None)
    assert all(shopee.get(ONGOING)["error"] == "" for _ in range(3))


def test_a_bad_rate_limit_is_refused(control):
    for value in (0, -1, "fast", True):
        with pytest.raises(SandboxControlError):
            control.set_rate_limit(value)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/_sandbox/nothing", 404), ("PUT", "/_sandbox/reset", 405), ("GET", "/_sandbox", 404)],
)
def test_unknown_control_requests(running, control, method, path, status):
    response = requests.request(method, running.base_url + path, timeout=5)
    assert response.status_code == status
    assert response.json()["ok"] is False


def test_malformed_control_bodies_are_refused(running, control):
    response = requests.post(running.base_url + "/_sandbox/clock", data=b"{", timeout=5)
    assert response.status_code == 400 and "malformed JSON" in response.json()["error"]
