"""Pushes: verification, authorization, cancellation and expiry pushes, signed and delivered to a
real local receiver, outside the state lock; lost when the receiver fails."""

import hashlib
import hmac
import json
import threading
import time

import pytest
import requests

from sandbox import push
from sandbox.signing import push_signature
from sandbox.testing import SandboxControlError, authorize_main_account, authorize_shop
from tests.sandbox.helpers import (
    GROUP_A,
    GROUP_B,
    MAIN_ACCOUNT_ID,
    MERCHANT_A,
    MERCHANT_B,
    OTHER_PARTNER_ID,
    OTHER_PARTNER_KEY,
    OTHER_SHOP_ID,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP2_ID,
    SHOP_ID,
    main_account_document,
)

RECORD_FIELDS = {
    "message_id",
    "partner_id",
    "code",
    "shop_id",
    "url",
    "body",
    "authorization",
    "time",
    "pending",
    "delivered",
    "status",
    "error",
    "consumed",
    "lost_at",
}


def expected_signature(url, body, key=PARTNER_KEY):
    """Computed here, independently of the sandbox."""
    return hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def settled(control, count, timeout=5.0):
    """The push records once ``count`` exist and none is pending."""
    deadline = time.monotonic() + timeout
    while True:
        records = control.pushes()
        if len(records) >= count and not any(r["pending"] for r in records):
            return records
        assert time.monotonic() < deadline, records
        time.sleep(0.02)


def test_setting_a_push_url_sends_a_signed_verification_push(control, receiver):
    answer = control.set_push_url(receiver.url)
    assert (answer["push_url"], answer["rate_limit_per_shop"]) == (receiver.url, None)
    record = answer["verification"]
    assert set(record) == RECORD_FIELDS
    assert (record["code"], record["delivered"], record["status"], record["error"]) == (
        0,
        True,
        200,
        None,
    )
    assert record["lost_at"] is None  # delivered: never lost
    [got] = receiver.received
    assert got.path == "/shopee/push"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Authorization"] == expected_signature(receiver.url, got.body)
    assert record["authorization"] == got.headers["Authorization"]
    assert push_signature(PARTNER_KEY, receiver.url, got.body) == got.headers["Authorization"]
    assert record["body"] == got.body.decode()
    body = json.loads(got.body)
    assert list(body) == ["code", "timestamp", "data"] and body["code"] == 0
    assert isinstance(body["data"]["verify_info"], str) and body["data"]["verify_info"]
    assert body["timestamp"] == pytest.approx(control.now(), abs=2) == record["time"]
    assert control._call("GET", "settings")["push_url"] == receiver.url
    cleared = control.set_push_url(None)
    assert (cleared["push_url"], cleared["verification"]) == (None, None)


@pytest.mark.parametrize("url", ["ftp://x/push", "not a url", 5, "http://"])
def test_a_bad_push_url_is_refused(control, url):
    with pytest.raises(SandboxControlError) as refused:
        control.set_push_url(url)
    assert refused.value.status == 400
    assert control._call("GET", "settings")["push_url"] is None


def test_cancelling_a_shop_pushes_code_2(control, receiver):
    control.set_push_url(receiver.url)
    control.update_shop(SHOP2_ID, merchant_id=77)
    record = control.cancel_authorization(SHOP2_ID)["push"]
    assert (record["code"], record["shop_id"], record["delivered"]) == (2, SHOP2_ID, True)
    got = receiver.received[-1]
    assert got.headers["Authorization"] == expected_signature(receiver.url, got.body)
    assert json.loads(got.body) == {
        "code": 2,
        "shop_id": SHOP2_ID,
        "timestamp": record["time"],
        "data": {
            "shop_id_list": [SHOP2_ID],
            "merchant_id_list": [77],
            "success": 1,
            "extra": f"shop_id {SHOP2_ID} authorization is cancelled",
        },
    }
    body = json.loads(control.cancel_authorization(SHOP_ID)["push"]["body"])
    assert body["data"]["merchant_id_list"] == []


def test_cancelling_a_main_account_pushes_one_code_2_listing_everything(control, receiver):
    control.reset(main_account_document(int(time.time())))
    control.set_push_url(receiver.url)
    record = control.cancel_main_account(MAIN_ACCOUNT_ID)["push"]
    assert record["shop_id"] is None and record["delivered"] is True
    body = json.loads(receiver.received[-1].body)
    assert list(body) == ["code", "timestamp", "data"]
    assert body["data"] == {
        "shop_id_list": [GROUP_A, GROUP_B],
        "merchant_id_list": [MERCHANT_A, MERCHANT_B],
        "main_account_id": MAIN_ACCOUNT_ID,
        "success": 1,
        "extra": f"main_account_id {MAIN_ACCOUNT_ID} authorization is cancelled",
    }
    assert len(control.pushes()) == 2  # the verification and this one


def test_expire_soon_moves_the_authorizations_and_pushes_code_12(control, shopee, receiver):
    control.reset(main_account_document(int(time.time())))
    control.set_push_url(receiver.url)
    now = control.now()
    record = control.expire_soon([SHOP2_ID, SHOP_ID], [MERCHANT_A])["push"]
    body = json.loads(record["body"])
    assert body == {
        "code": 12,
        "timestamp": record["time"],
        "data": {
            "shop_expire_soon": [SHOP_ID, SHOP2_ID],
            "merchant_expire_soon": [MERCHANT_A],
            "expire_before": body["data"]["expire_before"],
            "page_no": 1,
            "total_page": 1,
        },
    }
    assert body["data"]["expire_before"] == pytest.approx(now + 7 * 86400, abs=2)
    assert shopee.shop_info()["expire_time"] == body["data"]["expire_before"]
    merchant = next(m for m in control.state()["merchants"] if m["merchant_id"] == MERCHANT_A)
    assert merchant["auth_expire_time"] == body["data"]["expire_before"]
    at = control.expire_soon([SHOP_ID], expire_at=now + 60)["push"]
    assert json.loads(at["body"])["data"]["expire_before"] == now + 60
    assert shopee.shop_info()["expire_time"] == now + 60
    assert receiver.wait_for(3)[-1].body.decode() == at["body"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"shop_ids": [999]}, 404, "unknown shop(s) [999]"),
        ({"shop_ids": [], "merchant_ids": [5]}, 404, "merchant(s) [5]"),
        ({"shop_ids": []}, 400, "list at least one shop or merchant"),
        ({}, 400, "shop_ids is required"),
        ({"shop_ids": [SHOP_ID, OTHER_SHOP_ID]}, 400, "one partner's"),
        ({"shop_ids": [SHOP_ID], "expire_at": "soon"}, 400, "expire_at must be an integer"),
    ],
)
def test_expire_soon_refusals(control, body, status, message):
    with pytest.raises(SandboxControlError) as refused:
        control._call("POST", "authorization_expiry", body)
    assert refused.value.status == status and message in refused.value.payload["error"]
    assert control.pushes() == []


def test_send_push_sends_exactly_what_it_is_given(control, receiver):
    control.set_push_url(receiver.url)
    record = control.send_push(99, {"anything": [1, 2]}, shop_id=123456789)["push"]
    assert json.loads(record["body"]) == {
        "code": 99,
        "shop_id": 123456789,
        "timestamp": record["time"],
        "data": {"anything": [1, 2]},
    }
    assert record["partner_id"] == PARTNER_ID  # unknown shop: the first partner signs
    theirs = control.send_push(3, {}, shop_id=OTHER_SHOP_ID)["push"]
    got = receiver.wait_for(3)[-1]
    assert theirs["partner_id"] == OTHER_PARTNER_ID
    assert got.headers["Authorization"] == expected_signature(
        receiver.url, got.body, OTHER_PARTNER_KEY
    )
    no_shop = control.send_push(5, {"x": 1}, partner_id=OTHER_PARTNER_ID)["push"]
    assert "shop_id" not in json.loads(no_shop["body"]) and no_shop["shop_id"] is None
    for bad in ({"code": 1, "data": []}, {"data": {}}, {"code": "1", "data": {}}):
        with pytest.raises(SandboxControlError) as refused:
            control._call("POST", "push", bad)
        assert refused.value.status == 400
    with pytest.raises(SandboxControlError) as refused:
        control.send_push(1, {}, partner_id=1)
    assert refused.value.status == 404


def test_clicking_authorize_pushes_code_1_in_the_background(running, control, receiver):
    control.reset(main_account_document(int(time.time())))
    control.set_push_url(receiver.url)
    release = threading.Event()
    receiver.on_request = lambda request: release.wait(5)  # a receiver that holds the push
    authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=GROUP_A
    )
    assert control.pushes()[-1]["pending"] is True  # the 302 came back before the push ended
    release.set()
    got = receiver.wait_for(2)[-1]
    body = json.loads(got.body)
    assert body == {
        "code": 1,
        "shop_id": GROUP_A,
        "timestamp": body["timestamp"],
        "data": {
            "shop_id_list": [GROUP_A],
            "merchant_id_list": [MERCHANT_A],
            "success": 1,
            "extra": f"shop_id {GROUP_A} is authorized successfully",
        },
    }
    assert got.headers["Authorization"] == expected_signature(receiver.url, got.body)
    receiver.on_request = None
    authorize_main_account(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
    )
    body = json.loads(receiver.wait_for(3)[-1].body)
    assert "shop_id" not in body
    assert body["data"] == {
        "shop_id_list": [GROUP_A, GROUP_B],
        "merchant_id_list": [MERCHANT_A, MERCHANT_B],
        "main_account_id": MAIN_ACCOUNT_ID,
        "success": 1,
        "extra": f"main_account_id {MAIN_ACCOUNT_ID} is authorized successfully",
    }
    records = settled(control, 3)
    assert [r["code"] for r in records] == [0, 1, 1]
    assert [r["message_id"] for r in records] == [1, 2, 3]
    assert all(r["delivered"] for r in records)


def test_an_authorize_answer_lost_to_a_fault_still_pushes(running, control, receiver):
    control.set_push_url(receiver.url)
    path = "/api/v2/shop/auth_partner/authorize"
    control.set_faults([{"path": path, "kind": "http_status", "status": 502, "phase": "after"}])
    with pytest.raises(SandboxControlError):
        authorize_shop(
            running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
        )
    assert json.loads(receiver.wait_for(2)[-1].body)["code"] == 1


def test_pushes_are_delivered_without_holding_the_state_lock(running, control, receiver):
    seen = []
    receiver.on_request = lambda request: seen.append(
        requests.get(running.base_url + "/_sandbox/state", timeout=3).status_code
    )
    started = time.monotonic()
    record = control.set_push_url(receiver.url)["verification"]
    assert record["delivered"] is True and seen == [200]
    assert time.monotonic() - started < 4  # a held lock would have cost the 5 s timeout


def test_a_receiver_answering_500_loses_the_push(control, receiver):
    receiver.status = 500
    record = control.set_push_url(receiver.url)["verification"]
    assert (record["delivered"], record["status"], record["error"]) == (False, 500, "HTTP 500")
    assert record["time"] <= record["lost_at"] <= control.now()
    receiver.status = 204
    assert control.cancel_authorization(SHOP_ID)["push"]["delivered"] is True


def test_a_receiver_that_is_down_loses_the_push(control, receiver):
    url = receiver.url
    receiver.stop()
    record = control.set_push_url(url)["verification"]
    assert (record["delivered"], record["status"]) == (False, None)
    assert "ConnectionRefusedError" in record["error"]


def test_a_slow_receiver_times_out(control, receiver, monkeypatch):
    monkeypatch.setattr(push, "PUSH_TIMEOUT", 0.3)
    receiver.on_request = lambda request: time.sleep(1)
    record = control.set_push_url(receiver.url)["verification"]
    assert (record["delivered"], record["status"]) == (False, None)
    assert "timed out" in record["error"]


def test_without_a_push_url_every_push_is_lost(control):
    record = control.cancel_authorization(SHOP_ID)["push"]
    assert (record["url"], record["authorization"], record["delivered"]) == (None, None, False)
    assert (record["pending"], record["status"], record["error"]) == (
        False,
        None,
        "no push URL is set",
    )
    assert record["lost_at"] == record["time"]  # lost as it was made


def test_a_reset_clears_the_push_url_and_the_pushes(control, receiver):
    control.set_push_url(receiver.url)
    control.cancel_authorization(SHOP_ID)
    control.reset(main_account_document(int(time.time())))
    assert control.pushes() == [] and control._call("GET", "settings")["push_url"] is None
    assert control.cancel_authorization(SHOP_ID)["push"]["message_id"] == 1
