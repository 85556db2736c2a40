"""Add-on deal (module add_on_deal): promotion_status strings, page_size 1-100 defaulting to
100, its own paging errors, source 0 (Shopee admin) refused, end, delete, update."""

import pytest

from tests.sandbox.helpers import SHOP_ID
from tests.sandbox.promotion_helpers import (
    BIG,
    DAY,
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

K = "add_on_deal"
NOT_FOUND = ("add_on.add_on_deal_not_exists", "The add on deal not existed")
ADMIN = ("add_on.add_on_deal_error_unknown", "The add on deal created by admin can't be edited")
END_ERROR = ("add_on.add_on_end_error", "Only the ongoing promotion can be ended")
DELETE_ERROR = ("add_on.add_on_delete_error", "Only upcoming add on deal can be deleted")
STATUS_ERROR = (
    "add_on.add_on_status_error",
    "Please input correct promotion status: all, ongoing, upcoming, expired",
)
PAGE_NO_ERROR = ("add_on.add_on_page_no_error", "Please input page number between 1-1000")
PAGE_SIZE_ERROR = ("add_on.add_on_page_size_error", "Please input page type between 1-100")
ONGOING_IDS = [ONGOING, SHOPEE_ONGOING, BIG]


def listing(shopee, **params):
    return success(get(shopee, K, "get_add_on_deal_list", **params))


def ids(page):
    return [d["add_on_deal_id"] for d in page["add_on_deal_list"]]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ongoing", ONGOING_IDS),
        ("upcoming", [UPCOMING, SHOPEE_UPCOMING]),
        ("expired", [EXPIRED]),
        ("all", sorted([*ONGOING_IDS, UPCOMING, SHOPEE_UPCOMING, EXPIRED])),
    ],
)
def test_list_filters_by_promotion_status(promotions, shopee, status, expected):
    page = listing(shopee, promotion_status=status)
    assert (ids(page), page["more"]) == (expected, False)


def test_list_items_as_shopees_sample_and_the_detail(promotions, shopee, control):
    control.update_promotion(K, SHOP_ID, ONGOING, purchase_min_spend=3, sub_item_priority=[7, 5])
    items = {
        d["add_on_deal_id"]: d for d in listing(shopee, promotion_status="all")["add_on_deal_list"]
    }
    expected = {
        "start_time": promotions - HOUR - 60,
        "end_time": promotions - HOUR - 60 + 2 * DAY,
        "promotion_type": 0,
        "purchase_min_spend": "3.0",  # a string in the list, as Shopee's sample has it
        "add_on_deal_id": ONGOING,
        "per_gift_num": 0,
        "sub_item_priority": [7, 5],
        "promotion_purchase_limit": 1,
        "add_on_deal_name": f"Add-on {ONGOING}",
        "source": 1,
    }
    assert items[ONGOING] == expected
    assert items[SHOPEE_ONGOING]["source"] == 0
    detail = success(get(shopee, K, "get_add_on_deal", add_on_deal_id=ONGOING))
    assert detail == expected | {"purchase_min_spend": 3}


def test_paging_defaults_to_100(promotions, shopee, control):
    for n in range(100):
        control.add_promotion(K, shop_id=SHOP_ID, add_on_deal_id=1000 + n)
    first = listing(shopee, promotion_status="all")
    assert (len(ids(first)), first["more"]) == (100, True)
    second = listing(shopee, promotion_status="all", page_no=2)
    assert (len(ids(second)), second["more"]) == (6, False)
    assert listing(shopee, promotion_status="all", page_no=1000)["add_on_deal_list"] == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, STATUS_ERROR),  # required, though the page also says "default all"
        ({"promotion_status": "active"}, STATUS_ERROR),
        ({"promotion_status": "1"}, STATUS_ERROR),
        ({"promotion_status": "all", "page_no": 0}, PAGE_NO_ERROR),
        ({"promotion_status": "all", "page_no": 1001}, PAGE_NO_ERROR),
        ({"promotion_status": "all", "page_no": "x"}, PAGE_NO_ERROR),
        ({"promotion_status": "all", "page_size": 0}, PAGE_SIZE_ERROR),
        ({"promotion_status": "all", "page_size": 101}, PAGE_SIZE_ERROR),
    ],
)
def test_list_parameter_errors_are_the_modules_own(promotions, shopee, params, error):
    refused(get(shopee, K, "get_add_on_deal_list", **params), *error, {})


@pytest.mark.parametrize("add_on_deal_id", [999, SHOP2])
def test_unknown_or_another_shops_deal_is_not_found(promotions, shopee, add_on_deal_id):
    refused(get(shopee, K, "get_add_on_deal", add_on_deal_id=add_on_deal_id), *NOT_FOUND, {})
    for api in ("end_add_on_deal", "delete_add_on_deal", "update_add_on_deal"):
        refused(post(shopee, K, api, add_on_deal_id=add_on_deal_id), *NOT_FOUND, {})


def test_ending_an_ongoing_deal(promotions, shopee, control):
    assert success(post(shopee, K, "end_add_on_deal", add_on_deal_id=ONGOING)) == {
        "add_on_deal_id": ONGOING
    }
    assert stored(control, K, ONGOING)["end_time"] == pytest.approx(control.now(), abs=2)
    refused(post(shopee, K, "end_add_on_deal", add_on_deal_id=ONGOING), *END_ERROR, {})


@pytest.mark.parametrize("add_on_deal_id", [UPCOMING, EXPIRED])
def test_only_an_ongoing_deal_can_be_ended(promotions, shopee, add_on_deal_id):
    refused(post(shopee, K, "end_add_on_deal", add_on_deal_id=add_on_deal_id), *END_ERROR, {})


def test_deleting_an_upcoming_deal(promotions, shopee, control):
    assert success(post(shopee, K, "delete_add_on_deal", add_on_deal_id=UPCOMING)) == {
        "add_on_deal_id": UPCOMING
    }
    assert stored(control, K, UPCOMING) is None


@pytest.mark.parametrize("add_on_deal_id", [ONGOING, EXPIRED])
def test_only_an_upcoming_deal_can_be_deleted(promotions, shopee, add_on_deal_id):
    refused(post(shopee, K, "delete_add_on_deal", add_on_deal_id=add_on_deal_id), *DELETE_ERROR, {})


@pytest.mark.parametrize("add_on_deal_id", [SHOPEE_ONGOING, SHOPEE_UPCOMING])
def test_shopee_admin_deals_are_refused(promotions, shopee, control, add_on_deal_id):
    for api in ("end_add_on_deal", "delete_add_on_deal", "update_add_on_deal"):
        refused(post(shopee, K, api, add_on_deal_id=add_on_deal_id), *ADMIN, {})
    assert stored(control, K, add_on_deal_id) is not None


def test_update_shortens_and_answers_the_deal(promotions, shopee, control):
    new_end = control.now() + HOUR
    answer = success(
        post(
            shopee,
            K,
            "update_add_on_deal",
            add_on_deal_id=ONGOING,
            end_time=new_end,
            add_on_deal_name="Short",
        )
    )
    assert (answer["add_on_deal_id"], answer["end_time"]) == (ONGOING, new_end)
    assert answer["add_on_deal_name"] == "Short" and "modify_time" not in answer


@pytest.mark.parametrize(
    ("add_on_deal_id", "change", "error", "message"),
    [
        (
            ONGOING,
            {"end_time": 3 * DAY},
            "add_on.add_on_edit_error",
            "Promotion end time can only be changed to an earlier timing.",
        ),
        (
            ONGOING,
            {"start_time": HOUR},
            "add_on.add_on_update_error",
            "The start_time of ongoing add on deal can't be edited",
        ),
        (
            ONGOING,
            {"promotion_purchase_limit": 5},
            "add_on.add_on_update_error",
            "The promotion_purchase_limit of ongoing add on deal can't be edited",
        ),
        (
            UPCOMING,
            {"start_time": HOUR},
            "add_on.add_on_edit_error",
            "The start time of upcoming add on deal can't be shorted",
        ),
        (
            UPCOMING,
            {"end_time": 2 * HOUR + 1800},
            "add_on.add_on_deal_end_time_error",
            "The end time should be 1 hour later than start time",
        ),
        (
            UPCOMING,
            {"add_on_deal_name": "x" * 26},
            "add_on.add_on_deal_name_invalid",
            "The name of add on deal can't exceed 25 characters",
        ),
        (
            EXPIRED,
            {"add_on_deal_name": "x"},
            "add_on.add_on_deal_expired",
            "The expired add on deal can't be edited",
        ),
    ],
)
def test_update_refusals(promotions, shopee, control, add_on_deal_id, change, error, message):
    now = control.now()
    body = {k: (now + v if k.endswith("_time") else v) for k, v in change.items()}
    before = stored(control, K, add_on_deal_id)
    refused(
        post(shopee, K, "update_add_on_deal", add_on_deal_id=add_on_deal_id, **body),
        error,
        message,
        {},
    )
    assert stored(control, K, add_on_deal_id) == before


def test_a_period_over_6_months_may_still_be_shortened(promotions, shopee, control):
    now = control.now()
    control.update_promotion(K, SHOP_ID, UPCOMING, end_time=now + 300 * DAY)
    response = post(
        shopee,
        K,
        "update_add_on_deal",
        add_on_deal_id=UPCOMING,
        start_time=now + 3 * HOUR,
        end_time=now + 250 * DAY,
    )
    assert success(response)["end_time"] == now + 250 * DAY  # shorter than before: allowed


def test_ids_beyond_32_bits(promotions, shopee):
    assert success(post(shopee, K, "end_add_on_deal", add_on_deal_id=BIG)) == {
        "add_on_deal_id": BIG
    }
