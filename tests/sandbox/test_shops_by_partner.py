"""GET /api/v2/public/get_shops_by_partner: the partner's authorized shops, page by page."""

import time

import pytest

from tests.sandbox.helpers import (
    OTHER_PARTNER_ID,
    OTHER_PARTNER_KEY,
    OTHER_SHOP_ID,
    PARTNER_ID,
    SHOP2_ID,
    SHOP_ID,
    assert_error,
    assert_request_id,
)

PATH = "/api/v2/public/get_shops_by_partner"


def shops_page(shopee, **params):
    payload = shopee.public("GET", PATH, params=params).json()
    assert payload["error"] == "", payload
    return payload


def many_shops(count):
    now = int(time.time())
    return {
        "partners": [{"partner_id": PARTNER_ID, "partner_key": "test_partner_key"}],
        "shops": [
            {"shop_id": 5000 + i, "partner_id": PARTNER_ID, "auth_time": now - i}
            for i in reversed(range(count))
        ],
    }


def test_it_lists_the_partners_authorized_shops_at_the_top_level(control, shopee):
    payload = shops_page(shopee)
    assert_request_id(payload)
    assert "response" not in payload and payload["more"] is False
    state = {s["shop_id"]: s for s in control.state()["shops"]}
    assert payload["authed_shop_list"] == [
        {
            "shop_id": shop_id,
            "region": state[shop_id]["region"],
            "auth_time": state[shop_id]["auth_time"],
            "expire_time": state[shop_id]["auth_expire_time"],
            "sip_affi_shop_list": [],
        }
        for shop_id in (SHOP_ID, SHOP2_ID)
    ]
    theirs = shopee.public(
        "GET", PATH, partner_id=OTHER_PARTNER_ID, partner_key=OTHER_PARTNER_KEY
    ).json()
    assert [s["shop_id"] for s in theirs["authed_shop_list"]] == [OTHER_SHOP_ID]


def test_cancelled_and_expired_authorizations_are_left_out(control, shopee):
    control.cancel_authorization(SHOP_ID)
    control.update_shop(SHOP2_ID, auth_expire_time=control.now() + 5)
    assert [s["shop_id"] for s in shops_page(shopee)["authed_shop_list"]] == [SHOP2_ID]
    control.advance_clock(6)
    assert shops_page(shopee)["authed_shop_list"] == []
    control.update_shop(SHOP_ID, status="BANNED", auth_cancelled=False)
    assert [s["shop_id"] for s in shops_page(shopee)["authed_shop_list"]] == [SHOP_ID]


def test_pages_in_shop_id_order_with_more(control, shopee):
    control.reset(many_shops(250))
    first = shops_page(shopee)
    assert len(first["authed_shop_list"]) == 100 and first["more"] is True
    assert first["authed_shop_list"][0]["shop_id"] == 5000
    third = shops_page(shopee, page_no=3)
    assert [s["shop_id"] for s in third["authed_shop_list"]] == list(range(5200, 5250))
    assert third["more"] is False
    small = shops_page(shopee, page_no=2, page_size=7)
    assert [s["shop_id"] for s in small["authed_shop_list"]] == list(range(5007, 5014))
    assert small["more"] is True
    exact = shops_page(shopee, page_no=5, page_size=50)
    assert len(exact["authed_shop_list"]) == 50 and exact["more"] is False
    beyond = shops_page(shopee, page_no=9)
    assert (beyond["authed_shop_list"], beyond["more"]) == ([], False)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": 0}, "Invalid page_size: must be between 1 and 100."),
        ({"page_size": 101}, "Invalid page_size: must be between 1 and 100."),
        ({"page_no": 0}, "Invalid page_no: must be at least 1."),
        ({"page_no": "two"}, "Invalid page_no: expected an integer, got 'two'."),
    ],
)
def test_paging_refusals(shopee, params, message):
    assert_error(shopee.public("GET", PATH, params=params), "error_param", message)


def test_it_is_a_public_api_routed_like_the_others(control, shopee):
    assert_error(shopee.public("GET", PATH, partner_key="wrong"), "error_sign", "Wrong sign.")
    assert_error(
        shopee.public("POST", PATH),
        "error_param",
        "Permission denied. This API is currently offline or the request path is incorrect.",
    )
    control.set_faults([{"path": PATH, "kind": "shopee_error", "times": 1}])
    assert shopee.public("GET", PATH).json()["error"] == "error_server"
    assert shopee.public("GET", PATH).json()["error"] == ""
    assert [call["path"] for call in control.calls()][-2:] == [PATH, PATH]
