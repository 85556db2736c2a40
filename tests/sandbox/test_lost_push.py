"""get_lost_push_message / confirm_consumed_lost_push_message: what the partner missed."""

import json
import threading
import time

import pytest

from sandbox.testing import authorize_shop
from tests.sandbox.helpers import (
    GROUP_A,
    GROUP_B,
    MAIN_ACCOUNT_ID,
    OTHER_PARTNER_ID,
    OTHER_PARTNER_KEY,
    OTHER_SHOP_ID,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP2_ID,
    SHOP_ID,
    assert_error,
    assert_request_id,
    main_account_document,
)

GET_LOST = "/api/v2/push/get_lost_push_message"
CONFIRM = "/api/v2/push/confirm_consumed_lost_push_message"
DAYS_3 = 3 * 86400


def lost(shopee, **kwargs):
    payload = shopee.public("GET", GET_LOST, **kwargs).json()
    assert payload["error"] == "", payload
    return payload["response"]


def confirm(shopee, last_message_id, **kwargs):
    return shopee.public("POST", CONFIRM, body={"last_message_id": last_message_id}, **kwargs)


def entry_of(record, *, shop_id=None):
    """The entry Shopee lists for a lost push record: code, shop_id (shop-level pushes only),
    timestamp (when it was lost) and data, the whole raw push message as a JSON string."""
    entry = {"code": record["code"], "timestamp": record["lost_at"], "data": record["body"]}
    return entry if shop_id is None else {"shop_id": shop_id} | entry


def test_lost_pushes_are_listed_in_shopees_shape(control, shopee, receiver):
    control.reset(main_account_document(int(time.time())))
    receiver.status = 500
    control.set_push_url(receiver.url)  # 1: verification, lost
    receiver.status = 200
    control.cancel_authorization(SHOP_ID)  # 2: delivered
    receiver.status = 503
    shop_push = control.cancel_authorization(SHOP2_ID)["push"]  # 3: lost
    account_push = control.cancel_main_account(MAIN_ACCOUNT_ID)["push"]  # 4: lost
    expiry_push = control.expire_soon([GROUP_A])["push"]  # 5: lost
    order_push = control.send_push(3, {"ordersn": "X1"}, shop_id=SHOP2_ID)["push"]  # 6: lost
    control.cancel_authorization(OTHER_SHOP_ID)  # 7: the other partner's
    payload = shopee.public("GET", GET_LOST).json()
    assert_request_id(payload)
    assert (payload["error"], payload["message"]) == ("", "")
    response = payload["response"]
    assert (response["has_next_page"], response["last_message_id"]) == (False, 6)
    verification, by_shop, by_account, expiry, order = response["push_message_list"]
    records = {record["message_id"]: record for record in control.pushes()}
    assert verification == entry_of(records[1])
    # Codes 1, 2 and 12 are partner-level: no shop_id in the entry, even for one shop.
    assert by_shop == entry_of(records[shop_push["message_id"]])
    assert by_account == entry_of(records[account_push["message_id"]])
    assert expiry == entry_of(records[expiry_push["message_id"]])
    assert order == entry_of(records[order_push["message_id"]], shop_id=SHOP2_ID)
    # data is the whole push message, as it was POSTed: its ids are inside.
    whole = json.loads(by_shop["data"])
    assert whole == {
        "code": 2,
        "shop_id": SHOP2_ID,
        "timestamp": shop_push["time"],
        "data": json.loads(shop_push["body"])["data"],
    }
    assert whole["data"]["shop_id_list"] == [SHOP2_ID]
    account = json.loads(by_account["data"])
    assert (account["code"], account["data"]["main_account_id"]) == (2, MAIN_ACCOUNT_ID)
    assert account["data"]["shop_id_list"] == [GROUP_A, GROUP_B]
    assert json.loads(expiry["data"])["data"]["shop_expire_soon"] == [GROUP_A]
    assert json.loads(order["data"])["data"] == {"ordersn": "X1"}
    theirs = lost(shopee, partner_id=OTHER_PARTNER_ID, partner_key=OTHER_PARTNER_KEY)
    [their_entry] = theirs["push_message_list"]
    assert "shop_id" not in their_entry
    assert json.loads(their_entry["data"])["data"]["shop_id_list"] == [OTHER_SHOP_ID]
    assert theirs["last_message_id"] == 7


def test_the_entry_timestamp_is_when_the_push_was_lost(running, control, shopee, receiver):
    control.set_push_url(receiver.url)
    arrived, release = threading.Event(), threading.Event()

    def hold(request):
        arrived.set()
        release.wait(5)

    receiver.on_request, receiver.status = hold, 500
    authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )
    assert arrived.wait(5)
    control.advance_clock(600)
    release.set()
    deadline = time.monotonic() + 5
    while control.pushes()[-1]["pending"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    record = control.pushes()[-1]
    [item] = lost(shopee)["push_message_list"]
    assert record["lost_at"] >= record["time"] + 600
    assert item == {"code": 1, "timestamp": record["lost_at"], "data": record["body"]}
    assert json.loads(item["data"])["timestamp"] == record["time"]


def test_nothing_lost_answers_an_empty_list(shopee):
    assert lost(shopee) == {"push_message_list": [], "has_next_page": False, "last_message_id": 0}


def test_100_at_a_time_then_confirm_and_continue(control, shopee):
    for n in range(105):
        control.send_push(3, {"n": n}, shop_id=SHOP_ID)  # no push URL: all lost
    first = lost(shopee)
    assert len(first["push_message_list"]) == 100 and first["has_next_page"] is True
    assert first["last_message_id"] == 100
    assert json.loads(first["push_message_list"][0]["data"])["data"] == {"n": 0}
    again = lost(shopee)
    assert again["last_message_id"] == 100  # not consumed until confirmed
    payload = confirm(shopee, 100).json()
    assert payload == {
        "request_id": payload["request_id"],
        "error": "",
        "message": "",
        "response": {},
    }
    rest = lost(shopee)
    assert [json.loads(i["data"])["data"]["n"] for i in rest["push_message_list"]] == list(
        range(100, 105)
    )
    assert (rest["has_next_page"], rest["last_message_id"]) == (False, 105)
    records = control.pushes()
    assert [r["consumed"] for r in records] == [True] * 100 + [False] * 5


def test_confirm_marks_everything_up_to_the_id(control, shopee):
    for _ in range(3):
        control.cancel_authorization(SHOP_ID)
    assert confirm(shopee, 2).json()["error"] == ""
    assert lost(shopee)["last_message_id"] == 3
    assert [item["code"] for item in lost(shopee)["push_message_list"]] == [2]
    assert confirm(shopee, 0).json()["error"] == ""  # 0 consumes nothing
    assert confirm(shopee, 3).json()["error"] == ""
    assert lost(shopee)["push_message_list"] == []
    assert confirm(shopee, 3).json()["error"] == ""  # confirming again is harmless


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "There is no last_message_id in body."),
        ({"last_message_id": "2"}, "Invalid last_message_id: expected an integer, got '2'."),
        ({"last_message_id": 1.5}, "Invalid last_message_id: expected an integer, got 1.5."),
        ({"last_message_id": 3}, "Invalid last_message_id."),
        ({"last_message_id": -1}, "Invalid last_message_id."),
    ],
)
def test_confirm_refusals(control, shopee, body, message):
    control.cancel_authorization(SHOP_ID)
    control.cancel_authorization(SHOP2_ID)
    assert_error(shopee.public("POST", CONFIRM, body=body), "error_param", message)
    assert len(lost(shopee)["push_message_list"]) == 2  # nothing consumed


def test_another_partners_lost_pushes_are_out_of_reach(control, shopee):
    control.cancel_authorization(OTHER_SHOP_ID)  # message 1, the other partner's
    assert_error(confirm(shopee, 1), "error_param", "Invalid last_message_id.")
    theirs = confirm(shopee, 1, partner_id=OTHER_PARTNER_ID, partner_key=OTHER_PARTNER_KEY)
    assert theirs.json()["error"] == ""


def test_lost_pushes_are_kept_3_days(control, shopee):
    control.cancel_authorization(SHOP_ID)
    # The sandbox clock runs with real time: keep a minute's margin for a slow machine.
    control.advance_clock(DAYS_3 - 60)
    assert len(lost(shopee)["push_message_list"]) == 1
    control.advance_clock(61)
    assert lost(shopee) == {"push_message_list": [], "has_next_page": False, "last_message_id": 0}


def test_a_push_being_delivered_is_not_lost_until_it_fails(running, control, shopee, receiver):
    control.set_push_url(receiver.url)
    arrived, release = threading.Event(), threading.Event()

    def hold(request):
        arrived.set()
        release.wait(5)

    receiver.on_request, receiver.status = hold, 500
    authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )
    assert arrived.wait(5)
    assert lost(shopee)["push_message_list"] == []
    assert control.pushes()[-1]["pending"] is True
    release.set()
    deadline = time.monotonic() + 5
    while control.pushes()[-1]["pending"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    [item] = lost(shopee)["push_message_list"]
    assert (item["code"], "shop_id" in item) == (1, False)
    assert json.loads(item["data"])["data"]["shop_id_list"] == [SHOP_ID]


def test_the_push_apis_are_public_apis_routed_like_the_others(control, shopee):
    assert_error(shopee.public("GET", GET_LOST, partner_key="x"), "error_sign", "Wrong sign.")
    assert_error(confirm(shopee, 0, partner_key="x"), "error_sign", "Wrong sign.")
    bad_path = "Permission denied. This API is currently offline or the request path is incorrect."
    assert_error(shopee.public("POST", GET_LOST), "error_param", bad_path)
    assert_error(shopee.public("GET", CONFIRM), "error_param", bad_path)
    control.set_faults([{"path": "/api/v2/push/*", "kind": "http_status", "times": 1}])
    assert shopee.public("GET", GET_LOST).status_code == 500
    assert [call["path"] for call in control.calls()][-1] == GET_LOST
