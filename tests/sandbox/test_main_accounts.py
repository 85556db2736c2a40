"""Main accounts: the reset document, the authorization page, the code exchange, the state view."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.signing import signed_query
from sandbox.testing import SandboxControlError, authorize_main_account, authorize_shop
from tests.sandbox.helpers import (
    GROUP_A,
    GROUP_A_TOKEN,
    GROUP_B,
    MAIN_ACCOUNT_ID,
    MERCHANT_A,
    MERCHANT_B,
    OTHER_MAIN_ACCOUNT_ID,
    OTHER_PARTNER_ID,
    OTHER_SHOP_ID,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP_ID,
    assert_error,
    assert_request_id,
    main_account_document,
    world_document,
)

AUTH_PARTNER = "/api/v2/shop/auth_partner"
AUTHORIZE = "/api/v2/shop/auth_partner/authorize"
REDIRECT = "https://app.example/shopee/callback"
YEAR = 365 * 86400
INVALID_MAIN = (
    "The code or main_accoount_id is wrong, please check the code or the main_account_id."
)


@pytest.fixture
def group(control):
    control.reset(main_account_document(int(time.time())))
    return control


def link(control, **extra):
    query = signed_query(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, path=AUTH_PARTNER, timestamp=control.now()
    )
    return query | {"redirect": REDIRECT} | extra


def click(running, control, **owner):
    return requests.get(
        running.base_url + AUTHORIZE,
        params=link(control, **owner),
        allow_redirects=False,
        timeout=5,
    )


def main_code(running):
    return authorize_main_account(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
        redirect=REDIRECT,
    )["code"]


def state_shop(control, shop_id):
    return next(s for s in control.state()["shops"] if s["shop_id"] == shop_id)


def test_state_shows_main_accounts_merchants_and_the_shops_links(group):
    state = group.state()
    assert state["main_accounts"] == [
        {
            "main_account_id": MAIN_ACCOUNT_ID,
            "partner_id": PARTNER_ID,
            "name": "Acme Group",
            "shop_ids": [GROUP_A, GROUP_B],
            "merchant_ids": [MERCHANT_A, MERCHANT_B],
        },
        {
            "main_account_id": OTHER_MAIN_ACCOUNT_ID,
            "partner_id": OTHER_PARTNER_ID,
            "name": f"Main account {OTHER_MAIN_ACCOUNT_ID}",
            "shop_ids": [OTHER_SHOP_ID],
            "merchant_ids": [],
        },
    ]
    shop = state_shop(group, GROUP_A)
    assert (shop["merchant_id"], shop["main_account_id"], shop["auth_cancelled"]) == (
        MERCHANT_A,
        MAIN_ACCOUNT_ID,
        False,
    )
    plain = state_shop(group, SHOP_ID)
    assert (plain["merchant_id"], plain["main_account_id"], plain["auth_cancelled"]) == (
        None,
        None,
        False,
    )
    merchant = next(m for m in state["merchants"] if m["merchant_id"] == MERCHANT_A)
    assert (merchant["partner_id"], merchant["main_account_id"]) == (PARTNER_ID, MAIN_ACCOUNT_ID)
    assert merchant["access_token"] is None and merchant["access_token_expires_at"] is None
    assert merchant["auth_expire_time"] == merchant["auth_time"] + YEAR


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"partner_id": 42}, "main_accounts[0]: unknown partner_id 42"),
        ({"shop_ids": [OTHER_SHOP_ID]}, f"shop {OTHER_SHOP_ID} is not a shop of partner"),
        ({"shop_ids": [123456]}, "shop 123456 is not a shop of partner"),
        ({"shop_ids": [GROUP_A, GROUP_A]}, "shop_ids lists an id twice"),
        ({"shop_ids": ["1"]}, "shop_ids must be a list of integers"),
        ({"merchant_ids": 5}, "merchant_ids must be a list of integers"),
        ({"main_account_id": "x"}, "main_account_id must be an integer"),
        ({"name": 7}, "name must be a non-empty string"),
    ],
)
def test_a_malformed_main_account_is_refused(control, change, message):
    doc = main_account_document(int(time.time()))
    doc["main_accounts"][0] |= change
    with pytest.raises(SandboxControlError) as refused:
        control.reset(doc)
    assert refused.value.status == 400 and message in refused.value.payload["error"]


def test_a_shop_or_merchant_belongs_to_one_main_account_at_most(control):
    doc = main_account_document(int(time.time()))
    second = {"main_account_id": 1, "partner_id": PARTNER_ID, "shop_ids": [GROUP_A]}
    with pytest.raises(SandboxControlError) as refused:
        control.reset(doc | {"main_accounts": [*doc["main_accounts"], second]})
    assert f"shop {GROUP_A} already belongs to main account {MAIN_ACCOUNT_ID}" in str(
        refused.value.payload
    )
    second = {"main_account_id": 1, "partner_id": PARTNER_ID, "merchant_ids": [MERCHANT_A]}
    with pytest.raises(SandboxControlError):
        control.reset(doc | {"main_accounts": [*doc["main_accounts"], second]})
    twice = [doc["main_accounts"][0], doc["main_accounts"][0]]
    with pytest.raises(SandboxControlError, match="listed twice"):
        control.reset(doc | {"main_accounts": twice})
    doc["shops"][0]["merchant_id"] = "m1"
    with pytest.raises(SandboxControlError, match="merchant_id must be an integer"):
        control.reset(doc)


def test_the_auth_page_offers_each_main_account_of_the_partner(running, group):
    page = requests.get(running.base_url + AUTH_PARTNER, params=link(group), timeout=5).text
    assert page.count("<form") == 5  # four shops, one main account
    assert "Authorize main account Acme Group (2 shops)</button>" in page
    assert f'name="main_account_id" value="{MAIN_ACCOUNT_ID}"' in page
    assert str(OTHER_MAIN_ACCOUNT_ID) not in page


def test_the_main_account_button_redirects_with_a_code(running, group):
    response = click(running, group, main_account_id=MAIN_ACCOUNT_ID)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    params = parse_qs(location.query)
    assert params["main_account_id"] == [str(MAIN_ACCOUNT_ID)] and "shop_id" not in params
    assert len(params["code"][0]) == 32


@pytest.mark.parametrize(
    ("owner", "error", "message"),
    [
        ({}, "error_param", "There is no shop_id or main_account_id in query."),
        (
            {"shop_id": SHOP_ID, "main_account_id": MAIN_ACCOUNT_ID},
            "error_param",
            "Give exactly one of shop_id and main_account_id, not both.",
        ),
        ({"main_account_id": 424242}, "invalid_main_acount_id", INVALID_MAIN),
        ({"main_account_id": OTHER_MAIN_ACCOUNT_ID}, "invalid_main_acount_id", INVALID_MAIN),
        (
            {"main_account_id": "x"},
            "error_param",
            "Invalid main_account_id: expected an integer, got 'x'.",
        ),
    ],
)
def test_the_authorize_button_refusals(running, group, owner, error, message):
    assert_error(click(running, group, **owner), error, message)


def test_a_main_account_code_buys_one_pair_for_every_shop_and_merchant(running, group, shopee):
    group.advance_clock(3600)
    group.update_shop(GROUP_A, auth_cancelled=True)
    payload = shopee.exchange(main_code(running), main_account_id=MAIN_ACCOUNT_ID)
    assert_request_id(payload)
    assert "response" not in payload
    access, refresh = payload["access_token"], payload["refresh_token"]
    assert payload == {
        "request_id": payload["request_id"],
        "error": "",
        "message": "",
        "access_token": access,
        "refresh_token": refresh,
        "expire_in": 14400,
        "shop_id_list": [GROUP_A, GROUP_B],
        "merchant_id_list": [MERCHANT_A, MERCHANT_B],
        "supplier_id_list": [],
        "user_id_list": [],
    }
    now = group.now()
    for shop_id in (GROUP_A, GROUP_B):
        info = shopee.shop_info(shop_id, access)
        assert info["error"] == "", info
        assert info["auth_time"] == pytest.approx(now, abs=2)
        assert info["expire_time"] == info["auth_time"] + YEAR
        shop = state_shop(group, shop_id)
        assert (shop["access_token"], shop["refresh_token"], shop["auth_cancelled"]) == (
            access,
            refresh,
            False,
        )
    merchants = {m["merchant_id"]: m for m in group.state()["merchants"]}
    assert {merchants[m]["access_token"] for m in (MERCHANT_A, MERCHANT_B)} == {access}
    assert merchants[MERCHANT_A]["auth_time"] == pytest.approx(now, abs=2)
    assert shopee.shop_info(GROUP_A, GROUP_A_TOKEN)["error"] == ""  # an older token still lives
    assert state_shop(group, SHOP_ID)["access_token"] != access  # only the account's shops


def test_get_shop_info_reports_the_merchant(group, shopee):
    info = shopee.shop_info(GROUP_A, GROUP_A_TOKEN)
    assert (info["merchant_id"], info["is_main_shop"], info["sip_affi_shops"]) == (
        MERCHANT_A,
        False,
        [],
    )


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ({}, "There is no shop_id or main_account_id in body."),
        (
            {"shop_id": GROUP_A, "main_account_id": MAIN_ACCOUNT_ID},
            "Give exactly one of shop_id and main_account_id, not both.",
        ),
        ({"main_account_id": "1"}, "Invalid main_account_id: expected an integer, got '1'."),
    ],
)
def test_token_get_needs_exactly_one_id(running, group, shopee, owner, message):
    code = main_code(running)
    payload = shopee.exchange(code, **owner)
    assert (payload["error"], payload["message"]) == ("error_param", message)
    assert shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)["error"] == ""  # unspent


@pytest.mark.parametrize("main_account_id", [424242, OTHER_MAIN_ACCOUNT_ID])
def test_token_get_refuses_an_unknown_or_foreign_main_account(
    running, group, shopee, main_account_id
):
    payload = shopee.exchange(main_code(running), main_account_id=main_account_id)
    assert (payload["error"], payload["message"]) == ("invalid_main_acount_id", INVALID_MAIN)
    assert "access_token" not in payload


def test_a_main_account_code_works_once_for_that_account_within_10_minutes(running, group, shopee):
    code = main_code(running)
    assert shopee.exchange(code, shop_id=GROUP_A)["message"] == "Invalid code"
    assert shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)["error"] == ""
    reused = shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)
    assert (reused["error"], reused["message"]) == ("error_auth", "Invalid code")
    shop_code = authorize_shop(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=GROUP_A
    )["code"]
    assert shopee.exchange(shop_code, main_account_id=MAIN_ACCOUNT_ID)["message"] == "Invalid code"
    late = main_code(running)
    group.advance_clock(600)
    assert shopee.exchange(late, main_account_id=MAIN_ACCOUNT_ID)["message"] == "Invalid code"


def test_a_main_account_without_shops_or_merchants_is_fine(control, running, shopee):
    doc = world_document(int(time.time()))
    doc["main_accounts"] = [{"main_account_id": 5, "partner_id": PARTNER_ID}]
    control.reset(doc)
    code = authorize_main_account(
        running.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, main_account_id=5
    )
    assert code["main_account_id"] == 5 and code["location"].startswith("http://app.invalid/")
    payload = shopee.exchange(code["code"], main_account_id=5)
    assert (payload["error"], payload["shop_id_list"], payload["merchant_id_list"]) == ("", [], [])
