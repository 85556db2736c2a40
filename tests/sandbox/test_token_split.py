"""A main account's shared pair: each shop and merchant spends the shared refresh token once."""

import time

import pytest

from sandbox.testing import authorize_main_account
from tests.sandbox.helpers import (
    GROUP_A,
    GROUP_B,
    MAIN_ACCOUNT_ID,
    MERCHANT_A,
    MERCHANT_B,
    OTHER_PARTNER_ID,
    OTHER_PARTNER_KEY,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH_GET,
    main_account_document,
)

INVALID_REFRESH = ("error_auth", "Invalid refresh_token.")


@pytest.fixture
def shared(control, running, shopee):
    """The main account's first (shared) pair, from a real code exchange."""
    control.reset(main_account_document(int(time.time())))
    code = authorize_main_account(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
    )["code"]
    payload = shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)
    assert payload["error"] == "", payload
    return payload


def error_of(payload):
    return payload["error"], payload["message"]


def test_each_shop_spends_the_shared_refresh_token_once(shopee, shared):
    first_a = shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)
    assert first_a["error"] == "" and first_a["shop_id"] == GROUP_A
    assert shared["refresh_token"] not in (first_a["refresh_token"], first_a["access_token"])
    first_b = shopee.refresh(shared["refresh_token"], shop_id=GROUP_B)  # B still can
    assert first_b["error"] == "" and first_b["shop_id"] == GROUP_B
    assert first_b["access_token"] != first_a["access_token"]  # independent pairs
    assert error_of(shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)) == INVALID_REFRESH
    assert error_of(shopee.refresh(shared["refresh_token"], shop_id=GROUP_B)) == INVALID_REFRESH
    assert shopee.refresh(first_a["refresh_token"], shop_id=GROUP_A)["error"] == ""
    assert error_of(shopee.refresh(first_a["refresh_token"], shop_id=GROUP_B)) == INVALID_REFRESH


def test_a_shops_refresh_retires_the_shared_access_token_for_that_shop_only(
    control, shopee, shared
):
    own = shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["access_token"]
    control.advance_clock(290)
    assert shopee.shop_info(GROUP_A, shared["access_token"])["error"] == ""  # 5-minute grace
    control.advance_clock(15)
    refused = shopee.shop_info(GROUP_A, shared["access_token"])
    assert error_of(refused) == ("error_auth", "Invalid access_token.")
    assert shopee.shop_info(GROUP_A, own)["error"] == ""
    assert shopee.shop_info(GROUP_B, shared["access_token"])["error"] == ""  # B's copy lives


def test_each_merchant_spends_the_shared_refresh_token_once(control, shopee, shared):
    merchant = shopee.refresh_merchant(shared["refresh_token"], MERCHANT_A)
    assert merchant["error"] == "", merchant
    assert (merchant["partner_id"], merchant["merchant_id"], merchant["expire_in"]) == (
        PARTNER_ID,
        MERCHANT_A,
        14400,
    )
    assert "shop_id" not in merchant
    again = shopee.refresh_merchant(shared["refresh_token"], MERCHANT_A)
    assert error_of(again) == INVALID_REFRESH
    assert shopee.refresh_merchant(shared["refresh_token"], MERCHANT_B)["error"] == ""
    # merchants and shops are separate holders: the shops' copies are untouched
    assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["error"] == ""
    rotated = shopee.refresh_merchant(merchant["refresh_token"], MERCHANT_A)
    assert rotated["error"] == "" and rotated["refresh_token"] != merchant["refresh_token"]
    view = next(m for m in control.state()["merchants"] if m["merchant_id"] == MERCHANT_A)
    assert (view["access_token"], view["refresh_token"]) == (
        rotated["access_token"],
        rotated["refresh_token"],
    )
    assert view["refresh_token_expires_at"] == pytest.approx(control.now() + 30 * 86400, abs=2)


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ({}, "There is no shop_id or merchant_id in body."),
        (
            {"shop_id": GROUP_A, "merchant_id": MERCHANT_A},
            "Give exactly one of shop_id and merchant_id, not both.",
        ),
        ({"merchant_id": "9100001"}, "Invalid merchant_id: expected an integer, got '9100001'."),
    ],
)
def test_refresh_needs_exactly_one_of_shop_and_merchant(shopee, shared, owner, message):
    body = {"refresh_token": shared["refresh_token"], "partner_id": PARTNER_ID} | owner
    payload = shopee.public("POST", REFRESH_GET, body=body).json()
    assert error_of(payload) == ("error_param", message)
    assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["error"] == ""  # unspent


def test_an_unknown_or_foreign_merchant_is_refused(shopee, shared):
    unknown = shopee.refresh_merchant(shared["refresh_token"], 1234)
    assert error_of(unknown) == ("error_auth", "Invalid partner_id or merchant_id.")
    body = {
        "refresh_token": shared["refresh_token"],
        "partner_id": OTHER_PARTNER_ID,
        "merchant_id": MERCHANT_A,
    }
    foreign = shopee.public(
        "POST",
        REFRESH_GET,
        body=body,
        partner_id=OTHER_PARTNER_ID,
        partner_key=OTHER_PARTNER_KEY,
    ).json()
    assert error_of(foreign) == ("error_auth", "Invalid partner_id or merchant_id.")


def test_a_merchant_without_a_grant_has_nothing_to_refresh(control, shopee):
    control.reset(main_account_document(int(time.time())))
    assert error_of(shopee.refresh_merchant("0" * 32, MERCHANT_A)) == INVALID_REFRESH


def test_a_merchants_expired_authorization_refuses_its_refresh(control, shopee, shared):
    control.expire_soon([], [MERCHANT_A], expire_at=control.now() + 10)
    control.advance_clock(11)
    refused = shopee.refresh_merchant(shared["refresh_token"], MERCHANT_A)
    message = "The merchant's authorization to the partner has expired."
    assert error_of(refused) == ("error_auth", message)
    assert shopee.refresh_merchant(shared["refresh_token"], MERCHANT_B)["error"] == ""
