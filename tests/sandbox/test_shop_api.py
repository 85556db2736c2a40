"""get_shop_info, and the seller's authorization: expiry by the clock, banned shops, renewal."""

import time

import pytest

from sandbox.testing import authorize_shop
from tests.sandbox.helpers import (
    END_VOUCHER,
    ONGOING,
    OTHER_TOKEN,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH,
    SHOP2_ID,
    SHOP_ID,
    TOKEN2,
    TOKEN_GET,
    assert_error,
    assert_request_id,
    world_document,
)

SHOP_INFO = "/api/v2/shop/get_shop_info"
YEAR = 365 * 86400
EXPIRED = "The shop's authorization to the partner has expired."
BANNED = "The shop is banned."


def shop_info(shopee, **kwargs):
    return shopee.shop("GET", SHOP_INFO, **kwargs)


def state_shop(control, shop_id=SHOP_ID):
    return next(s for s in control.state()["shops"] if s["shop_id"] == shop_id)


def reauthorize(running, shopee, shop_id=SHOP_ID):
    """The seller authorizes again and the app exchanges the code: the token/get answer."""
    code = authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=shop_id
    )["code"]
    body = {"code": code, "partner_id": PARTNER_ID, "shop_id": shop_id}
    payload = shopee.public("POST", TOKEN_GET, body=body).json()
    assert payload["error"] == "", payload
    return payload


def test_get_shop_info_answers_at_the_top_level(control, shopee):
    response = shop_info(shopee)
    payload = response.json()
    assert response.status_code == 200
    assert_request_id(payload)
    reset_at = state_shop(control)["auth_time"]
    assert reset_at == pytest.approx(time.time(), abs=5)
    assert payload == {
        "request_id": payload["request_id"],
        "error": "",
        "message": "",
        "shop_name": "Main",
        "region": "SG",
        "status": "NORMAL",
        "is_cb": False,
        "is_sip": False,
        "sip_affi_shops": [],
        "auth_time": reset_at,
        "expire_time": reset_at + YEAR,
        "merchant_id": None,
        "is_main_shop": False,
    }


def test_get_shop_info_is_about_the_calling_shop(shopee):
    payload = shop_info(shopee, shop_id=SHOP2_ID, access_token=TOKEN2).json()
    assert (payload["error"], payload["shop_name"], payload["region"]) == ("", "Second", "MY")


@pytest.mark.parametrize("token", ["f" * 32, TOKEN2, OTHER_TOKEN])
def test_get_shop_info_refuses_a_wrong_token(shopee, token):
    payload = assert_error(
        shop_info(shopee, access_token=token), "error_auth", "Invalid access_token."
    )
    assert set(payload) == {"request_id", "error", "message"}  # no response, no shop fields


def test_get_shop_info_runs_the_common_checks(shopee):
    response = shop_info(shopee, partner_key="wrong key")
    assert_error(response, "error_sign", "Wrong sign.")
    assert_error(shop_info(shopee, shop_id=999), "error_auth", "Invalid partner_id or shopid.")
    assert_error(shop_info(shopee, timestamp=1), "error_param", "Timestamp is expired.")
    assert_error(
        shopee.shop("POST", SHOP_INFO),
        "error_param",
        "Permission denied. This API is currently offline or the request path is incorrect.",
    )


def test_an_expired_authorization_refuses_every_shop_api(control, shopee):
    control.update_shop(SHOP_ID, auth_expire_time=control.now() + 60)
    assert shop_info(shopee).json()["error"] == ""
    control.advance_clock(61)  # the 4-hour access token is still valid: the authorization is not
    assert_error(shop_info(shopee), "error_auth", EXPIRED)
    assert_error(
        shopee.shop("GET", "/api/v2/voucher/get_voucher", params={"voucher_id": ONGOING}),
        "error_auth",
        EXPIRED,
    )
    assert_error(
        shopee.shop("POST", END_VOUCHER, body={"voucher_id": ONGOING}), "error_auth", EXPIRED
    )
    voucher = next(v for v in control.state()["vouchers"] if v["voucher_id"] == ONGOING)
    assert voucher["end_time"] > control.now()  # not ended
    assert shop_info(shopee, shop_id=SHOP2_ID, access_token=TOKEN2).json()["error"] == ""


def test_the_default_authorization_ends_365_days_after_the_reset(control, shopee):
    control.advance_clock(YEAR - 3600)
    refused = shopee.refresh(REFRESH)  # still authorized, but the 30-day refresh token is dead
    assert (refused["error"], refused["message"]) == ("error_auth", "Invalid refresh_token.")
    control.advance_clock(3601)
    # even with a token that is not the shop's, the expired authorization is what answers
    assert_error(shop_info(shopee), "error_auth", EXPIRED)
    assert_error(shop_info(shopee, access_token="f" * 32), "error_auth", EXPIRED)


def test_refresh_is_refused_after_the_authorization_expires_without_spending_the_token(
    control, shopee
):
    control.update_shop(SHOP_ID, auth_expire_time=control.now() + 10)
    control.advance_clock(11)
    payload = shopee.refresh(REFRESH)
    assert (payload["error"], payload["message"]) == ("error_auth", EXPIRED)
    assert "access_token" not in payload
    assert state_shop(control)["refresh_token"] == REFRESH
    control.update_shop(SHOP_ID, auth_expire_time=control.now() + 3600)
    rotated = shopee.refresh(REFRESH)  # the refused call did not use it up
    assert rotated["error"] == "" and rotated["refresh_token"] != REFRESH


def test_a_banned_shop_is_refused_on_shop_apis_and_refresh(control, shopee):
    assert control.update_shop(SHOP_ID, status="BANNED") == {"ok": True}
    assert_error(shop_info(shopee), "shop_banned", BANNED)
    assert_error(
        shopee.shop("POST", END_VOUCHER, body={"voucher_id": ONGOING}), "shop_banned", BANNED
    )
    payload = shopee.refresh(REFRESH)
    assert (payload["error"], payload["message"]) == ("shop_banned", BANNED)
    assert state_shop(control)["refresh_token"] == REFRESH
    assert shop_info(shopee, shop_id=SHOP2_ID, access_token=TOKEN2).json()["error"] == ""
    control.update_shop(SHOP_ID, status="NORMAL")
    assert shop_info(shopee).json()["status"] == "NORMAL"


def test_banned_wins_over_an_expired_authorization(control, shopee):
    control.update_shop(SHOP_ID, status="BANNED", auth_expire_time=control.now() - 1)
    assert_error(shop_info(shopee), "shop_banned", BANNED)
    assert shopee.refresh(REFRESH)["error"] == "shop_banned"


def test_a_frozen_shop_still_answers_and_reports_its_status(control, shopee):
    control.update_shop(SHOP_ID, status="FROZEN")
    payload = shop_info(shopee).json()
    assert (payload["error"], payload["status"]) == ("", "FROZEN")
    assert shopee.get(ONGOING)["error"] == ""


def test_authorizing_again_renews_the_authorization(running, control, shopee):
    control.update_shop(SHOP_ID, auth_expire_time=control.now() + 60)
    control.advance_clock(120)
    assert_error(shop_info(shopee), "error_auth", EXPIRED)
    tokens = reauthorize(running, shopee)
    now = control.now()
    payload = shop_info(shopee, access_token=tokens["access_token"]).json()
    assert payload["error"] == ""
    assert payload["auth_time"] == pytest.approx(now, abs=2)
    assert payload["expire_time"] == payload["auth_time"] + YEAR
    shop = state_shop(control)
    assert (shop["auth_time"], shop["auth_expire_time"]) == (
        payload["auth_time"],
        payload["expire_time"],
    )
    assert shopee.refresh(tokens["refresh_token"])["error"] == ""


def test_authorizing_a_valid_shop_moves_its_authorization_forward(running, control, shopee):
    before, other = state_shop(control), state_shop(control, SHOP2_ID)
    control.advance_clock(86400)
    reauthorize(running, shopee)
    after = state_shop(control)
    assert after["auth_time"] >= before["auth_time"] + 86400
    assert after["auth_expire_time"] == after["auth_time"] + YEAR
    assert state_shop(control, SHOP2_ID) == other  # only the authorized shop


def test_an_authorization_code_alone_does_not_renew(running, control):
    control.update_shop(SHOP_ID, auth_expire_time=control.now() - 1)
    authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )
    assert state_shop(control)["auth_expire_time"] < control.now()


def test_reset_document_authorization_fields(control, shopee):
    now = int(time.time())
    doc = world_document(now)
    doc["shops"][0] |= {"status": "FROZEN", "auth_time": now - 1000, "auth_expire_time": now + 50}
    doc["shops"][1] |= {"status": "BANNED", "auth_time": None, "auth_expire_time": None}
    control.reset(doc)
    payload = shop_info(shopee).json()
    assert (payload["status"], payload["auth_time"], payload["expire_time"]) == (
        "FROZEN",
        now - 1000,
        now + 50,
    )
    second = state_shop(control, SHOP2_ID)
    assert second["status"] == "BANNED"
    assert second["auth_expire_time"] == second["auth_time"] + YEAR
    assert second["auth_time"] == pytest.approx(now, abs=5)
    control.advance_clock(51)
    assert_error(shop_info(shopee), "error_auth", EXPIRED)
