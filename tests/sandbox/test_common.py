"""Common parameters, signatures, tokens and paths: every refusal Shopee documents."""

import socket

import pytest
import requests

from sandbox.signing import signed_query
from tests.sandbox.helpers import (
    END_VOUCHER,
    LIST,
    ONGOING,
    OTHER_SHOP_ID,
    OTHER_TOKEN,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP2_ID,
    SHOP_ID,
    TOKEN,
    TOKEN2,
    TOKEN_GET,
    assert_error,
    assert_request_id,
)

PERMISSION_DENIED = (
    "Permission denied. This API is currently offline or the request path is incorrect."
)


def send_query(shopee, query):
    """get_voucher_list with exactly these common parameters."""
    params = query | {"status": "all"}
    return requests.get(shopee.base_url + LIST, params=params, timeout=5)


def test_the_unaltered_query_passes(shopee):
    assert send_query(shopee, good_query(shopee)).json()["error"] == ""


def good_query(shopee):
    """The common parameters of a correctly signed get_voucher_list call."""
    return signed_query(
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        path=LIST,
        timestamp=shopee.control.now(),
        access_token=TOKEN,
        shop_id=SHOP_ID,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("partner_id", "There is no partner_id in query."),
        ("timestamp", "There is no timestamp in query."),
        ("sign", "There is no sign in query."),
        ("access_token", "There is no access_token in query."),
        ("shop_id", "There is no shop_id in query."),
    ],
)
def test_each_missing_common_parameter_is_named(shopee, missing, message):
    query = good_query(shopee)
    del query[missing]
    assert_error(send_query(shopee, query), "error_param", message)


def test_an_empty_parameter_counts_as_missing(shopee):
    query = good_query(shopee) | {"sign": ""}
    assert_error(send_query(shopee, query), "error_param", "There is no sign in query.")


@pytest.mark.parametrize("partner_id", ["abc", "99999", "1.5"])
def test_a_malformed_or_unknown_partner_is_invalid(shopee, partner_id):
    query = good_query(shopee) | {"partner_id": partner_id}
    assert_error(send_query(shopee, query), "error_param", "Invalid partner_id.")


def test_a_non_integer_shop_id_is_refused(shopee):
    query = good_query(shopee) | {"shop_id": "shop"}
    assert_error(send_query(shopee, query), "error_param", "Invalid shop_id.")


@pytest.mark.parametrize("offset", [301, 3600])
def test_a_timestamp_more_than_5_minutes_old_is_expired(shopee, control, offset):
    response = shopee.shop("GET", LIST, params={"status": "all"}, timestamp=control.now() - offset)
    assert_error(response, "error_param", "Timestamp is expired.")


def test_a_timestamp_within_5_minutes_is_accepted(shopee, control):
    response = shopee.shop("GET", LIST, params={"status": "all"}, timestamp=control.now() - 290)
    assert response.json()["error"] == ""


@pytest.mark.parametrize("timestamp", ["soon", "12.5", "1e9"])
def test_a_malformed_timestamp_is_invalid(shopee, timestamp):
    query = good_query(shopee) | {"timestamp": timestamp}
    assert_error(send_query(shopee, query), "error_param", "Invalid timestamp")


def test_a_timestamp_in_the_future_is_invalid(shopee, control):
    response = shopee.shop("GET", LIST, params={"status": "all"}, timestamp=control.now() + 400)
    assert_error(response, "error_param", "Invalid timestamp")


def test_the_timestamp_window_follows_the_sandbox_clock(shopee, control):
    real_now = control.now()
    control.advance_clock(600)
    response = shopee.shop("GET", LIST, params={"status": "all"}, timestamp=real_now)
    assert_error(response, "error_param", "Timestamp is expired.")
    assert shopee.shop("GET", LIST, params={"status": "all"}).json()["error"] == ""


def test_a_wrong_partner_key_is_a_wrong_sign(shopee):
    response = shopee.shop("GET", LIST, params={"status": "all"}, partner_key="not-the-key")
    assert_error(response, "error_sign", "Wrong sign.")


def test_a_tampered_query_is_a_wrong_sign(shopee):
    query = good_query(shopee) | {"shop_id": str(SHOP2_ID)}
    assert_error(send_query(shopee, query), "error_sign", "Wrong sign.")


def test_a_public_signature_does_not_pass_for_a_shop_api(shopee, control):
    response = shopee.public(
        "GET", LIST, params={"status": "all", "access_token": TOKEN, "shop_id": SHOP_ID}
    )
    assert_error(response, "error_sign", "Wrong sign.")


def test_an_unknown_shop_is_refused(shopee):
    response = shopee.shop("GET", LIST, params={"status": "all"}, shop_id=424242)
    assert_error(response, "error_auth", "Invalid partner_id or shopid.")


def test_another_partners_shop_is_refused(shopee):
    response = shopee.shop(
        "GET", LIST, params={"status": "all"}, shop_id=OTHER_SHOP_ID, access_token=OTHER_TOKEN
    )
    assert_error(response, "error_auth", "Invalid partner_id or shopid.")


@pytest.mark.parametrize("token", ["0" * 32, TOKEN2])
def test_an_unknown_or_another_shops_token_is_refused(shopee, token):
    response = shopee.shop("GET", LIST, params={"status": "all"}, access_token=token)
    assert_error(response, "error_auth", "Invalid access_token.")


def test_an_access_token_expires_4_hours_after_issue(shopee, control):
    control.advance_clock(4 * 3600 - 10)
    assert shopee.get(ONGOING)["error"] == ""
    control.advance_clock(10)
    response = shopee.shop("GET", LIST, params={"status": "all"})
    assert_error(response, "error_auth", "Invalid access_token.")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/voucher/no_such_api"),
        ("GET", "/"),
        ("GET", END_VOUCHER),  # wrong method
        ("POST", LIST),  # wrong method
        ("DELETE", END_VOUCHER),
    ],
)
def test_an_unknown_path_or_wrong_method_is_permission_denied(shopee, method, path):
    response = shopee.shop(method, path, body={"voucher_id": ONGOING})
    assert_error(response, "error_param", PERMISSION_DENIED)


def test_every_answer_has_a_fresh_request_id(shopee):
    ids = set()
    for _ in range(3):
        payload = shopee.shop("GET", LIST, params={"status": "all"}).json()
        assert_request_id(payload)
        ids.add(payload["request_id"])
    payload = shopee.public(
        "POST", TOKEN_GET, body={"code": "x", "partner_id": PARTNER_ID, "shop_id": SHOP_ID}
    ).json()
    assert_request_id(payload)
    ids.add(payload["request_id"])
    assert len(ids) == 4


def test_signing_uses_the_partner_key_as_text(shopee, control):
    """A hex-looking key is not hex-decoded: signing with its decoded bytes fails."""
    hex_key = "6162636465666768"
    control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": hex_key}],
            "shops": [{"shop_id": SHOP_ID, "partner_id": PARTNER_ID, "access_token": TOKEN}],
        }
    )
    ok = shopee.shop("GET", LIST, params={"status": "all"}, partner_key=hex_key)
    assert ok.json()["error"] == ""
    wrong = shopee.shop("GET", LIST, params={"status": "all"}, partner_key="abcdefgh")
    assert wrong.json()["error"] == "error_sign"
    assert PARTNER_KEY != hex_key


def test_a_request_cut_off_mid_body_is_never_handled(shopee, control):
    """A client that dies while sending (a killed worker) leaves no call: Shopee's front
    servers never pass a request on before its whole body arrived."""
    host, port = shopee.base_url.removeprefix("http://").split(":")
    signed = signed_query(
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        path=END_VOUCHER,
        timestamp=control.state()["now"],
        access_token=TOKEN,
        shop_id=SHOP_ID,
    )
    query = "&".join(f"{key}={value}" for key, value in signed.items())
    body = b'{"voucher_id": 5000'
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(
            f"POST {END_VOUCHER}?{query} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 40\r\n\r\n".encode()
            + body
        )
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(1024) == b""
    assert [call for call in control.calls() if call["path"] == END_VOUCHER] == []
