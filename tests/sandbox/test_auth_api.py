"""Authorization page, codes, token exchange, refresh rotation and the 5-minute grace."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.signing import signed_query
from sandbox.testing import authorize_shop
from tests.sandbox.helpers import (
    LIST,
    OTHER_PARTNER_ID,
    OTHER_PARTNER_KEY,
    OTHER_SHOP_ID,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH,
    SHOP2_ID,
    SHOP_ID,
    TOKEN,
    TOKEN_GET,
    assert_error,
    assert_request_id,
)

AUTH_PARTNER = "/api/v2/shop/auth_partner"
AUTHORIZE = "/api/v2/shop/auth_partner/authorize"
REDIRECT = "https://app.example/shopee/callback"


def auth_link(control, *, timestamp=None, **extra):
    ts = control.now() if timestamp is None else timestamp
    query = signed_query(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, path=AUTH_PARTNER, timestamp=ts
    )
    return query | {"redirect": REDIRECT} | extra


def authorize(running, control, shop_id=SHOP_ID):
    return authorize_shop(
        running.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        shop_id=shop_id,
        redirect=REDIRECT,
    )


def exchange(shopee, code, shop_id=SHOP_ID, partner_id=PARTNER_ID):
    body = {"code": code, "partner_id": partner_id, "shop_id": shop_id}
    return shopee.public("POST", TOKEN_GET, body=body)


def can_list(shopee, token, shop_id=SHOP_ID):
    payload = shopee.shop(
        "GET", LIST, params={"status": "all"}, access_token=token, shop_id=shop_id
    ).json()
    return payload["error"] == ""


def test_the_auth_page_lists_the_partners_shops_with_authorize_forms(running, control):
    response = requests.get(running.base_url + AUTH_PARTNER, params=auth_link(control), timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert page.count("<form") == 2 and page.count(">Authorize</button>") == 2
    assert f'action="{AUTHORIZE}"' in page
    assert f'value="{SHOP_ID}"' in page and f'value="{SHOP2_ID}"' in page
    assert f"shop {OTHER_SHOP_ID})" not in page and "Theirs" not in page
    assert f'name="redirect" value="{REDIRECT}"' in page


def test_the_authorize_button_redirects_with_a_code(running, control):
    query = auth_link(control) | {"shop_id": SHOP2_ID}
    response = requests.get(
        running.base_url + AUTHORIZE, params=query, allow_redirects=False, timeout=5
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = parse_qs(location.query)
    assert params["shop_id"] == [str(SHOP2_ID)]
    code = params["code"][0]
    assert len(code) == 32 and int(code, 16) >= 0


def test_a_redirect_with_a_query_gets_the_code_appended(running, control):
    query = auth_link(control, redirect=REDIRECT + "?state=xyz") | {"shop_id": SHOP_ID}
    response = requests.get(
        running.base_url + AUTHORIZE, params=query, allow_redirects=False, timeout=5
    )
    assert response.headers["Location"].startswith(REDIRECT + "?state=xyz&code=")


def test_the_auth_link_dies_after_5_minutes(running, control):
    query = auth_link(control)
    control.advance_clock(301)
    response = requests.get(running.base_url + AUTH_PARTNER, params=query, timeout=5)
    assert_error(response, "error_param", "Timestamp is expired.")
    response = requests.get(
        running.base_url + AUTHORIZE,
        params=query | {"shop_id": SHOP_ID},
        allow_redirects=False,
        timeout=5,
    )
    assert_error(response, "error_param", "Timestamp is expired.")


def test_the_auth_link_needs_a_redirect_and_a_valid_sign(running, control):
    query = auth_link(control)
    del query["redirect"]
    response = requests.get(running.base_url + AUTH_PARTNER, params=query, timeout=5)
    assert_error(response, "error_param", "There is no redirect in query.")
    query = auth_link(control) | {"sign": "0" * 64}
    response = requests.get(running.base_url + AUTH_PARTNER, params=query, timeout=5)
    assert_error(response, "error_sign", "Wrong sign.")


def test_a_seller_cannot_authorize_another_partners_shop(running, control):
    query = auth_link(control) | {"shop_id": OTHER_SHOP_ID}
    response = requests.get(
        running.base_url + AUTHORIZE, params=query, allow_redirects=False, timeout=5
    )
    assert_error(response, "error_auth", "Invalid partner_id or shopid.")


def test_a_code_buys_working_tokens_once(running, control, shopee):
    code = authorize(running, control)["code"]
    payload = exchange(shopee, code).json()
    assert_request_id(payload)
    assert (payload["error"], payload["message"], payload["expire_in"]) == ("", "", 14400)
    assert "response" not in payload  # auth APIs answer at the top level
    access, refresh = payload["access_token"], payload["refresh_token"]
    assert len(access) == 32 and len(refresh) == 32 and access != refresh
    assert can_list(shopee, access)
    assert can_list(shopee, TOKEN)  # the earlier token keeps working until its own expiry
    shop = next(s for s in control.state()["shops"] if s["shop_id"] == SHOP_ID)
    assert (shop["access_token"], shop["refresh_token"]) == (access, refresh)
    assert_error(exchange(shopee, code), "error_auth", "Invalid code")


def test_a_code_lives_10_minutes(running, control, shopee):
    code = authorize(running, control)["code"]
    control.advance_clock(600)
    assert_error(exchange(shopee, code), "error_auth", "Invalid code")


def test_a_code_works_just_before_10_minutes(running, control, shopee):
    code = authorize(running, control)["code"]
    control.advance_clock(590)
    assert exchange(shopee, code).json()["error"] == ""


def test_a_code_is_bound_to_the_chosen_shop(running, control, shopee):
    code = authorize(running, control, shop_id=SHOP2_ID)["code"]
    assert_error(exchange(shopee, code, shop_id=SHOP_ID), "error_auth", "Invalid code")
    assert_error(exchange(shopee, "f" * 32), "error_auth", "Invalid code")
    assert exchange(shopee, code, shop_id=SHOP2_ID).json()["error"] == ""


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (
            {"partner_id": PARTNER_ID, "shop_id": SHOP_ID},
            "error_param",
            "There is no code in body.",
        ),
        (
            {"code": 5, "partner_id": PARTNER_ID, "shop_id": SHOP_ID},
            "error_param",
            "Invalid code: expected a string.",
        ),
        ({"code": "x", "shop_id": SHOP_ID}, "error_param", "There is no partner_id in body."),
        (
            {"code": "x", "partner_id": OTHER_PARTNER_ID, "shop_id": SHOP_ID},
            "error_param",
            "Invalid partner_id.",
        ),
        (
            {"code": "x", "partner_id": PARTNER_ID, "shop_id": "1"},
            "error_param",
            "Invalid shop_id: expected an integer, got '1'.",
        ),
        (
            {"code": "x", "partner_id": PARTNER_ID, "shop_id": OTHER_SHOP_ID},
            "error_auth",
            "Invalid partner_id or shopid.",
        ),
    ],
)
def test_token_get_body_errors(shopee, body, error, message):
    assert_error(shopee.public("POST", TOKEN_GET, body=body), error, message)


def test_token_get_refuses_malformed_json(shopee):
    payload = shopee.public("POST", TOKEN_GET, data=b"code=abc").json()
    assert payload["error"] == "error_param"
    assert payload["message"].startswith("Invalid request body: malformed JSON")


def test_token_apis_check_the_public_signature(shopee, control):
    body = {"code": "x", "partner_id": PARTNER_ID, "shop_id": SHOP_ID}
    response = shopee.public("POST", TOKEN_GET, body=body, partner_key=OTHER_PARTNER_KEY)
    assert_error(response, "error_sign", "Wrong sign.")
    response = shopee.public("POST", TOKEN_GET, body=body, timestamp=control.now() - 301)
    assert_error(response, "error_param", "Timestamp is expired.")


def test_refresh_rotates_both_tokens(shopee, control):
    payload = shopee.refresh(REFRESH)
    assert_request_id(payload)
    assert (payload["error"], payload["expire_in"]) == ("", 14400)
    assert (payload["partner_id"], payload["shop_id"]) == (PARTNER_ID, SHOP_ID)
    assert payload["access_token"] != TOKEN and payload["refresh_token"] != REFRESH
    assert can_list(shopee, payload["access_token"])
    shop = next(s for s in control.state()["shops"] if s["shop_id"] == SHOP_ID)
    assert shop["access_token"] == payload["access_token"]
    assert shop["access_token_expires_at"] == control.now() + 14400
    assert shop["refresh_token_expires_at"] == control.now() + 30 * 86400


def test_a_refresh_token_works_once(shopee):
    first = shopee.refresh(REFRESH)
    assert first["error"] == ""
    assert (shopee.refresh(REFRESH)["error"], shopee.refresh(REFRESH)["message"]) == (
        "error_auth",
        "Invalid refresh_token.",
    )
    second = shopee.refresh(first["refresh_token"])
    assert second["error"] == "" and second["refresh_token"] != first["refresh_token"]


def test_the_old_access_token_keeps_working_5_minutes_after_a_refresh(shopee, control):
    new = shopee.refresh(REFRESH)["access_token"]
    control.advance_clock(290)
    assert can_list(shopee, TOKEN) and can_list(shopee, new)
    control.advance_clock(15)
    assert not can_list(shopee, TOKEN)
    assert can_list(shopee, new)
    response = shopee.shop("GET", LIST, params={"status": "all"}, access_token=TOKEN)
    assert_error(response, "error_auth", "Invalid access_token.")


def test_the_grace_never_outlives_the_old_tokens_own_expiry(shopee, control):
    control.advance_clock(4 * 3600 - 60)
    shopee.refresh(REFRESH)
    control.advance_clock(61)
    assert not can_list(shopee, TOKEN)


def test_a_refresh_token_is_bound_to_its_shop_and_partner(shopee):
    payload = shopee.refresh(REFRESH, shop_id=SHOP2_ID)
    assert (payload["error"], payload["message"]) == ("error_auth", "Invalid refresh_token.")
    body = {"refresh_token": REFRESH, "partner_id": OTHER_PARTNER_ID, "shop_id": OTHER_SHOP_ID}
    response = shopee.public(
        "POST",
        "/api/v2/auth/access_token/get",
        body=body,
        partner_id=OTHER_PARTNER_ID,
        partner_key=OTHER_PARTNER_KEY,
    )
    assert_error(response, "error_auth", "Invalid refresh_token.")
    assert shopee.refresh(REFRESH)["error"] == ""  # still unused


def test_a_refresh_token_expires_after_30_days(shopee, control):
    control.advance_clock(30 * 86400)
    payload = shopee.refresh(REFRESH)
    assert (payload["error"], payload["message"]) == ("error_auth", "Invalid refresh_token.")


def test_an_expired_access_token_is_revived_by_a_refresh(shopee, control):
    control.advance_clock(5 * 3600)
    assert not can_list(shopee, TOKEN)
    assert can_list(shopee, shopee.refresh(REFRESH)["access_token"])
