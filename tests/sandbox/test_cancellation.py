"""A cancelled authorization: every shop API and refresh refused until a new code exchange."""

import time

import pytest

from sandbox.testing import SandboxControlError, authorize_main_account, authorize_shop
from tests.sandbox.helpers import (
    END_VOUCHER,
    GROUP_A,
    GROUP_A_TOKEN,
    GROUP_B,
    LIST,
    MAIN_ACCOUNT_ID,
    MERCHANT_A,
    MERCHANT_B,
    ONGOING,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH,
    SHOP2_ID,
    SHOP_ID,
    TOKEN,
    TOKEN2,
    assert_error,
    main_account_document,
)

CANCELLED = "The shop's authorization to the partner was cancelled."
MERCHANT_CANCELLED = "The merchant's authorization to the partner was cancelled."


def state_shop(control, shop_id=SHOP_ID):
    return next(s for s in control.state()["shops"] if s["shop_id"] == shop_id)


def test_a_cancelled_shop_is_refused_everywhere_in_words_the_app_recognises(control, shopee):
    assert "authoriz" in CANCELLED
    answer = control.cancel_authorization(SHOP_ID)
    assert answer["ok"] is True and answer["push"]["code"] == 2
    assert state_shop(control)["auth_cancelled"] is True
    assert_error(shopee.shop("GET", "/api/v2/shop/get_shop_info"), "error_auth", CANCELLED)
    assert_error(shopee.shop("GET", LIST, params={"status": "all"}), "error_auth", CANCELLED)
    response = shopee.shop("POST", END_VOUCHER, body={"voucher_id": ONGOING})
    assert_error(response, "error_auth", CANCELLED)
    refused = shopee.refresh(REFRESH)
    assert (refused["error"], refused["message"]) == ("error_auth", CANCELLED)
    assert shopee.shop_info(SHOP2_ID, TOKEN2)["error"] == ""  # only that shop


def test_the_signature_checks_come_first(control, shopee):
    control.cancel_authorization(SHOP_ID)
    response = shopee.shop("GET", "/api/v2/shop/get_shop_info", partner_key="wrong")
    assert_error(response, "error_sign", "Wrong sign.")


def test_banned_wins_over_cancelled_which_wins_over_expired(control, shopee):
    control.update_shop(SHOP_ID, auth_cancelled=True, auth_expire_time=control.now() - 1)
    assert shopee.shop_info()["message"] == CANCELLED
    control.update_shop(SHOP_ID, status="BANNED")
    assert shopee.shop_info()["error"] == "shop_banned"


def test_a_new_shop_code_exchange_restores_the_shop_with_new_tokens_only(running, control, shopee):
    control.cancel_authorization(SHOP_ID)
    code = authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )["code"]
    assert state_shop(control)["auth_cancelled"] is True  # clicking alone does not restore
    tokens = shopee.exchange(code, shop_id=SHOP_ID)
    assert tokens["error"] == ""
    assert state_shop(control)["auth_cancelled"] is False
    assert shopee.shop_info(access_token=tokens["access_token"])["error"] == ""
    # cancelling revoked the tokens Shopee had issued before
    assert shopee.shop_info(access_token=TOKEN)["message"] == "Invalid access_token."
    assert shopee.refresh(REFRESH)["message"] == "Invalid refresh_token."


def test_update_shop_can_flag_a_cancellation_without_revoking(control, shopee):
    control.update_shop(SHOP_ID, auth_cancelled=True)
    assert shopee.shop_info()["message"] == CANCELLED
    assert control.pushes() == []  # no push for a plain field change
    control.update_shop(SHOP_ID, auth_cancelled=False)
    assert shopee.shop_info()["error"] == ""
    with pytest.raises(SandboxControlError, match="auth_cancelled must be true or false"):
        control.update_shop(SHOP_ID, auth_cancelled="yes")


def test_cancelling_a_main_account_cancels_its_shops_and_merchants(running, control, shopee):
    control.reset(main_account_document(int(time.time())))
    code = authorize_main_account(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
    )["code"]
    shared = shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)
    answer = control.cancel_main_account(MAIN_ACCOUNT_ID)
    assert answer["push"]["code"] == 2
    for shop_id in (GROUP_A, GROUP_B):
        assert shopee.shop_info(shop_id, shared["access_token"])["message"] == CANCELLED
        assert state_shop(control, shop_id)["auth_cancelled"] is True
    assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["message"] == CANCELLED
    refused = shopee.refresh_merchant(shared["refresh_token"], MERCHANT_B)
    assert (refused["error"], refused["message"]) == ("error_auth", MERCHANT_CANCELLED)
    assert shopee.shop_info()["error"] == ""  # a shop outside the account
    # a new main account exchange restores all of them
    code = authorize_main_account(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
    )["code"]
    fresh = shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)
    assert shopee.shop_info(GROUP_B, fresh["access_token"])["error"] == ""
    assert shopee.refresh_merchant(fresh["refresh_token"], MERCHANT_B)["error"] == ""


def test_cancelling_one_shop_of_a_main_account_cancels_its_merchant_too(control, shopee):
    control.reset(main_account_document(int(time.time())))
    control.cancel_authorization(GROUP_A)
    assert shopee.shop_info(GROUP_A, GROUP_A_TOKEN)["message"] == CANCELLED
    merchants = {m["merchant_id"]: m for m in control.state()["merchants"]}
    assert merchants[MERCHANT_A]["auth_cancelled"] is True
    assert merchants[MERCHANT_B]["auth_cancelled"] is False
    assert state_shop(control, GROUP_B)["auth_cancelled"] is False


@pytest.mark.parametrize("path", ["shops/999/cancel_authorization", "shops/x/cancel_authorization"])
def test_cancelling_an_unknown_shop_is_404(control, path):
    with pytest.raises(SandboxControlError) as refused:
        control._call("POST", path)
    assert refused.value.status == 404 and refused.value.payload["ok"] is False


def test_cancelling_an_unknown_main_account_is_404(control):
    with pytest.raises(SandboxControlError) as refused:
        control.cancel_main_account(424242)
    assert refused.value.status == 404
    assert refused.value.payload["error"] == "unknown main account '424242'"
