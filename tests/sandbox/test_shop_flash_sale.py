"""Shop flash sale (module shop_flash_sale): integer type, offset/limit/total_count, status
(0 deleted, 1 enabled, 2 disabled, 3 system_rejected) beside type, no end call: update status 2
switches it off, delete only upcoming, system_rejected refused."""

import pytest

from tests.sandbox.helpers import SHOP_ID
from tests.sandbox.promotion_helpers import (
    BIG,
    EXPIRED,
    HOUR,
    ONGOING,
    SHOP2,
    SHOPEE_ONGOING,
    SHOPEE_UPCOMING,
    UPCOMING,
    get,
    post,
    refused,
    stored,
    success,
)

K = "shop_flash_sale"
NOT_EXIST = ("shop_flash_sale_not_exist", "shop flash sale not exist")
PARAM = "shop_flash_sale_param_error"
REJECTED = (
    PARAM,
    "The Wrong parameters, detail: cannot edit the shop flash sale in 'system_rejected' status.",
)
CANNOT_DELETE = (
    PARAM,
    "The Wrong parameters, detail: cannot delete ongoing and expired shop flash sale.",
)
ONGOING_IDS = [ONGOING, SHOPEE_ONGOING, BIG]
ALL_IDS = sorted([*ONGOING_IDS, UPCOMING, SHOPEE_UPCOMING, EXPIRED])


def listing(shopee, **params):
    return success(
        get(shopee, K, "get_shop_flash_sale_list", **({"offset": 0, "limit": 100} | params))
    )


def ids(page):
    return [s["flash_sale_id"] for s in page["flash_sale_list"]]


@pytest.mark.parametrize(
    ("type_", "expected"),
    [(0, ALL_IDS), (1, [UPCOMING, SHOPEE_UPCOMING]), (2, ONGOING_IDS), (3, [EXPIRED])],
)
def test_list_filters_by_integer_type(promotions, shopee, type_, expected):
    page = listing(shopee, type=type_)
    assert ids(page) == expected
    assert page["total_count"] == len(expected)
    assert {s["type"] for s in page["flash_sale_list"]} == ({1, 2, 3} if type_ == 0 else {type_})


def test_the_list_is_inside_response_with_total_count_and_no_more(promotions, shopee):
    page = listing(shopee, type=2)
    assert set(page) == {"total_count", "flash_sale_list"}
    start = promotions - HOUR // 2 - 60
    assert page["flash_sale_list"][0] == {
        "timeslot_id": start,
        "flash_sale_id": ONGOING,
        "status": 1,
        "start_time": start,
        "end_time": start + HOUR,
        "enabled_item_count": 0,
        "item_count": 0,
        "type": 2,
        "remindme_count": 0,
        "click_count": 0,
    }
    assert page["flash_sale_list"][1]["status"] == 3  # system_rejected


def test_offset_and_limit(promotions, shopee):
    first = listing(shopee, type=0, limit=4)
    rest = listing(shopee, type=0, offset=4, limit=4)
    assert ids(first) + ids(rest) == ALL_IDS
    assert (first["total_count"], rest["total_count"]) == (6, 6)
    assert listing(shopee, type=0, offset=1000) == {"total_count": 6, "flash_sale_list": []}


def test_the_time_window_keeps_overlapping_sales(promotions, shopee):
    page = listing(shopee, type=0, start_time=promotions + HOUR, end_time=promotions + 48 * HOUR)
    assert ids(page) == [UPCOMING, SHOPEE_UPCOMING]


@pytest.mark.parametrize(
    "params",
    [
        {"offset": 0, "limit": 10},
        {"type": 4, "offset": 0, "limit": 10},
        {"type": "all", "offset": 0, "limit": 10},
        {"type": 0, "limit": 10},
        {"type": 0, "offset": -1, "limit": 10},
        {"type": 0, "offset": 1001, "limit": 10},
        {"type": 0, "offset": 0},
        {"type": 0, "offset": 0, "limit": 0},
        {"type": 0, "offset": 0, "limit": 101},
        {"type": 0, "offset": 0, "limit": 10, "start_time": 5},
        {"type": 0, "offset": 0, "limit": 10, "start_time": 5, "end_time": 5},
    ],
)
def test_list_parameter_errors(promotions, shopee, params):
    payload = get(shopee, K, "get_shop_flash_sale_list", **params).json()
    assert (payload["error"], payload["response"]) == (PARAM, {}), payload
    assert payload["message"].startswith("The Wrong parameters, detail: ")


def test_get_shows_the_sale_without_the_counters(promotions, shopee):
    detail = success(get(shopee, K, "get_shop_flash_sale", flash_sale_id=SHOPEE_UPCOMING))
    assert set(detail) == {
        "timeslot_id",
        "flash_sale_id",
        "status",
        "start_time",
        "end_time",
        "enabled_item_count",
        "item_count",
        "type",
    }
    assert (detail["status"], detail["type"]) == (3, 1)


@pytest.mark.parametrize("flash_sale_id", [999, SHOP2])
def test_unknown_or_another_shops_sale_does_not_exist(promotions, shopee, flash_sale_id):
    refused(get(shopee, K, "get_shop_flash_sale", flash_sale_id=flash_sale_id), *NOT_EXIST, {})
    refused(
        post(shopee, K, "update_shop_flash_sale", flash_sale_id=flash_sale_id, status=2),
        *NOT_EXIST,
        {},
    )
    refused(post(shopee, K, "delete_shop_flash_sale", flash_sale_id=flash_sale_id), *NOT_EXIST, {})


def test_there_is_no_end_call(promotions, shopee):
    response = post(shopee, K, "end_shop_flash_sale", flash_sale_id=ONGOING)
    assert response.json()["error"] == "error_param"
    assert "request path is incorrect" in response.json()["message"]


@pytest.mark.parametrize("flash_sale_id", [ONGOING, UPCOMING])
def test_status_2_switches_a_sale_off_and_1_on_again(promotions, shopee, control, flash_sale_id):
    control.update_promotion(K, SHOP_ID, flash_sale_id, item_count=4, enabled_item_count=4)
    answer = success(
        post(shopee, K, "update_shop_flash_sale", flash_sale_id=flash_sale_id, status=2)
    )
    record = stored(control, K, flash_sale_id)
    assert answer == {
        "timeslot_id": record["timeslot_id"],
        "flash_sale_id": flash_sale_id,
        "status": 2,
    }
    assert (record["status"], record["enabled_item_count"], record["item_count"]) == (2, 0, 4)
    again = post(shopee, K, "update_shop_flash_sale", flash_sale_id=flash_sale_id, status=2)
    assert success(again)["status"] == 2  # switching off twice is harmless
    assert (
        success(post(shopee, K, "update_shop_flash_sale", flash_sale_id=flash_sale_id, status=1))[
            "status"
        ]
        == 1
    )


def test_an_expired_sale_cannot_be_edited(promotions, shopee):
    refused(
        post(shopee, K, "update_shop_flash_sale", flash_sale_id=EXPIRED, status=2),
        PARAM,
        "The Wrong parameters, detail: cannot edit an expired shop flash sale.",
        {},
    )


@pytest.mark.parametrize("status", [0, 3, 4, "2", None])
def test_update_takes_only_status_1_or_2(promotions, shopee, status):
    body = {"flash_sale_id": ONGOING} | ({} if status is None else {"status": status})
    payload = shopee.shop("POST", f"/api/v2/{K}/update_shop_flash_sale", body=body).json()
    assert (payload["error"], payload["response"]) == (PARAM, {}), payload


@pytest.mark.parametrize("flash_sale_id", [SHOPEE_ONGOING, SHOPEE_UPCOMING])
def test_system_rejected_sales_cannot_be_edited_or_deleted(
    promotions, shopee, control, flash_sale_id
):
    refused(
        post(shopee, K, "update_shop_flash_sale", flash_sale_id=flash_sale_id, status=2),
        *REJECTED,
        {},
    )
    refused(post(shopee, K, "delete_shop_flash_sale", flash_sale_id=flash_sale_id), *REJECTED, {})
    assert stored(control, K, flash_sale_id)["status"] == 3


def test_deleting_an_upcoming_sale_leaves_it_listed_with_status_0(promotions, shopee, control):
    answer = success(post(shopee, K, "delete_shop_flash_sale", flash_sale_id=UPCOMING))
    record = stored(control, K, UPCOMING)
    assert answer == {"timeslot_id": record["timeslot_id"], "flash_sale_id": UPCOMING, "status": 0}
    listed = {s["flash_sale_id"]: s for s in listing(shopee, type=1)["flash_sale_list"]}
    assert listed[UPCOMING]["status"] == 0
    assert success(get(shopee, K, "get_shop_flash_sale", flash_sale_id=UPCOMING))["status"] == 0
    refused(post(shopee, K, "delete_shop_flash_sale", flash_sale_id=UPCOMING), *NOT_EXIST, {})
    refused(
        post(shopee, K, "update_shop_flash_sale", flash_sale_id=UPCOMING, status=1), *NOT_EXIST, {}
    )


@pytest.mark.parametrize("flash_sale_id", [ONGOING, EXPIRED])
def test_ongoing_and_expired_sales_cannot_be_deleted(promotions, shopee, control, flash_sale_id):
    refused(
        post(shopee, K, "delete_shop_flash_sale", flash_sale_id=flash_sale_id), *CANNOT_DELETE, {}
    )
    assert stored(control, K, flash_sale_id)["status"] == 1


def test_type_follows_the_sandbox_clock(promotions, shopee, control):
    control.advance_clock(2 * HOUR + 1)  # UPCOMING starts, ONGOING ends
    assert ids(listing(shopee, type=2)) == [UPCOMING, SHOPEE_UPCOMING]
    assert ids(listing(shopee, type=3)) == sorted([*ONGOING_IDS, EXPIRED])


def test_ids_beyond_32_bits(promotions, shopee):
    answer = success(post(shopee, K, "update_shop_flash_sale", flash_sale_id=BIG, status=2))
    assert answer["flash_sale_id"] == BIG
