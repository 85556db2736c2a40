"""Voucher APIs: listing by status and page, details, ending and deleting, every refusal."""

import pytest

from sandbox.documents import DETAIL_FIELDS, LIST_FIELDS
from tests.sandbox.helpers import (
    ADMIN,
    BIG_ID,
    DELETE,
    END_VOUCHER,
    EXPIRED,
    LIST,
    MEMBERSHIP,
    ONGOING,
    SHOP2_VOUCHER,
    SHOP_FOLLOW,
    SHOP_GAME,
    SHOP_ID,
    UPCOMING,
    UPCOMING_ADMIN,
    assert_error,
)

PERMISSION_MESSAGE = (
    "The Voucher created in Shopee admin/Shop Game/Follow Prize/Member ship/Voucher campaign "
    "can't be updated"
)
NOT_FOUND = "The information you queried is not found."
ONGOING_IDS = [ONGOING, ADMIN, SHOP_GAME, MEMBERSHIP, SHOP_FOLLOW, BIG_ID]


def listing(shopee, **params):
    response = shopee.shop("GET", LIST, params=params)
    payload = response.json()
    assert payload["error"] == "", payload
    return payload["response"]


def ids(page):
    return [voucher["voucher_id"] for voucher in page["voucher_list"]]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ongoing", ONGOING_IDS),
        ("upcoming", [UPCOMING, UPCOMING_ADMIN]),
        ("expired", [EXPIRED]),
        ("all", sorted([*ONGOING_IDS, UPCOMING, UPCOMING_ADMIN, EXPIRED])),
    ],
)
def test_list_filters_by_status_in_voucher_id_order(shopee, status, expected):
    page = listing(shopee, status=status, page_size=100)
    assert ids(page) == expected
    assert page["more"] is False


def test_list_items_carry_the_list_fields_only(shopee):
    item = listing(shopee, status="ongoing", page_size=1)["voucher_list"][0]
    assert set(item) == set(LIST_FIELDS)
    assert item["voucher_code"] == f"V{ONGOING}"
    assert item["voucher_name"] == f"Voucher {ONGOING}"
    assert item["display_start_time"] == item["start_time"]
    assert (item["voucher_type"], item["reward_type"], item["usage_quantity"]) == (1, 1, 100)


def test_status_follows_the_sandbox_clock(shopee, control):
    control.advance_clock(601)  # the upcoming vouchers start
    assert ids(listing(shopee, status="ongoing")) == sorted(
        [*ONGOING_IDS, UPCOMING, UPCOMING_ADMIN]
    )
    assert ids(listing(shopee, status="upcoming")) == []
    assert shopee.end(UPCOMING)["error"] == ""
    control.advance_clock(3000)  # every voucher ends at +3600
    assert ids(listing(shopee, status="ongoing")) == []
    assert len(ids(listing(shopee, status="expired"))) == 9


def test_paging_and_more(shopee):
    first = listing(shopee, status="all", page_size=4)
    second = listing(shopee, status="all", page_size=4, page_no=2)
    third = listing(shopee, status="all", page_size=4, page_no=3)
    assert (first["more"], second["more"], third["more"]) == (True, True, False)
    assert len(ids(first) + ids(second) + ids(third)) == 9
    assert ids(first) + ids(second) + ids(third) == ids(listing(shopee, status="all"))
    assert listing(shopee, status="all", page_size=3, page_no=3)["more"] is False
    assert listing(shopee, status="all", page_no=5000) == {"more": False, "voucher_list": []}


def test_paging_defaults_to_page_1_of_20(shopee):
    assert len(ids(listing(shopee, status="all"))) == 9


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "There is no status in query."),
        ({"status": "active"}, "Invalid status: expected one of upcoming, ongoing, expired, all."),
        ({"status": "all", "page_no": 0}, "Invalid page_no: must be between 1 and 5000."),
        ({"status": "all", "page_no": 5001}, "Invalid page_no: must be between 1 and 5000."),
        ({"status": "all", "page_size": 0}, "Invalid page_size: must be between 1 and 100."),
        ({"status": "all", "page_size": 101}, "Invalid page_size: must be between 1 and 100."),
        (
            {"status": "all", "page_size": "ten"},
            "Invalid page_size: expected an integer, got 'ten'.",
        ),
    ],
)
def test_list_parameter_errors(shopee, params, message):
    assert_error(shopee.shop("GET", LIST, params=params), "error_param", message)


def test_get_voucher_adds_the_detail_fields(shopee):
    payload = shopee.get(ONGOING)
    assert payload["error"] == "" and payload["message"] == ""
    voucher = payload["response"]
    assert set(LIST_FIELDS + DETAIL_FIELDS) <= set(voucher)
    assert voucher["display_channel_list"] == [1] and voucher["item_id_list"] == []


def test_extra_voucher_fields_are_kept(shopee, control):
    state = control.state()
    doc = {
        "partners": state["partners"],
        "shops": state["shops"],
        "vouchers": [
            {"shop_id": 14701711, "voucher_id": 77, "max_price": 5.5, "custom_note": "hi"}
        ],
    }
    control.reset(doc)
    voucher = shopee.get(77)["response"]
    assert (voucher["max_price"], voucher["custom_note"]) == (5.5, "hi")


@pytest.mark.parametrize("voucher_id", [999, SHOP2_VOUCHER])  # unknown; another shop's
def test_an_unknown_voucher_is_not_found(shopee, voucher_id):
    for response in (
        shopee.shop("GET", "/api/v2/voucher/get_voucher", params={"voucher_id": voucher_id}),
        shopee.shop("POST", END_VOUCHER, body={"voucher_id": voucher_id}),
        shopee.shop("POST", DELETE, body={"voucher_id": voucher_id}),
    ):
        payload = assert_error(response, "common.error_not_found", NOT_FOUND)
        assert payload["response"] == ""


def test_ending_an_ongoing_voucher_sets_end_time_to_now(shopee, control):
    payload = shopee.end(ONGOING)
    assert payload == {
        "request_id": payload["request_id"],
        "error": "",
        "message": "",
        "response": {"voucher_id": ONGOING},
    }
    now = control.now()
    assert now - 2 <= shopee.get(ONGOING)["response"]["end_time"] <= now
    assert ONGOING in ids(listing(shopee, status="expired"))
    assert_error(
        shopee.shop("POST", END_VOUCHER, body={"voucher_id": ONGOING}),
        "voucher.update_end_voucher_error",
        "Cannot update status for expired voucher.",
    )


def test_ending_an_upcoming_voucher_is_a_status_error(shopee):
    response = shopee.shop("POST", END_VOUCHER, body={"voucher_id": UPCOMING})
    payload = assert_error(
        response, "voucher.end_voucher_status_error", "Can only end the ongoing voucher."
    )
    assert payload["response"] == ""


def test_ending_an_expired_voucher_is_refused(shopee):
    response = shopee.shop("POST", END_VOUCHER, body={"voucher_id": EXPIRED})
    assert_error(
        response, "voucher.update_end_voucher_error", "Cannot update status for expired voucher."
    )


@pytest.mark.parametrize("voucher_id", [ADMIN, SHOP_GAME, MEMBERSHIP, SHOP_FOLLOW, UPCOMING_ADMIN])
def test_shopee_created_and_special_vouchers_cannot_be_ended(shopee, control, voucher_id):
    before = shopee.get(voucher_id)["response"]["end_time"]
    response = shopee.shop("POST", END_VOUCHER, body={"voucher_id": voucher_id})
    assert_error(response, "voucher.operate_voucher_permission_error", PERMISSION_MESSAGE)
    assert shopee.get(voucher_id)["response"]["end_time"] == before


def test_a_campaign_voucher_is_refused_though_no_list_shows_it(shopee, control):
    control.update_voucher(SHOP_ID, ONGOING, voucher_campaign=True)
    listed = next(
        v for v in listing(shopee, status="ongoing")["voucher_list"] if v["voucher_id"] == ONGOING
    )
    assert "voucher_campaign" not in listed and not listed["is_admin"]
    for path in (END_VOUCHER, "/api/v2/voucher/update_voucher"):
        response = shopee.shop("POST", path, body={"voucher_id": ONGOING, "voucher_name": "x"})
        assert_error(response, "voucher.operate_voucher_permission_error", PERMISSION_MESSAGE)


def test_voucher_ids_beyond_32_bits_work(shopee):
    assert BIG_ID in ids(listing(shopee, status="ongoing"))
    assert shopee.get(BIG_ID)["response"]["voucher_id"] == BIG_ID
    assert shopee.end(BIG_ID)["response"] == {"voucher_id": BIG_ID}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "Invalid request body: malformed JSON"),
        (b"[1, 2]", "Invalid request body: expected a JSON object."),
        (b"", "Invalid request body: malformed JSON"),
        (b"{}", "There is no voucher_id in body."),
        (b'{"voucher_id": "1"}', "Invalid voucher_id: expected an integer, got '1'."),
        (b'{"voucher_id": 1.5}', "Invalid voucher_id: expected an integer, got 1.5."),
        (b'{"voucher_id": true}', "Invalid voucher_id: expected an integer, got True."),
    ],
)
@pytest.mark.parametrize("path", [END_VOUCHER, DELETE])
def test_malformed_bodies_are_param_errors(shopee, path, data, message):
    payload = shopee.shop("POST", path, data=data).json()
    assert payload["error"] == "error_param"
    assert payload["message"].startswith(message)


def test_a_non_integer_voucher_id_in_the_query_is_a_param_error(shopee):
    response = shopee.shop("GET", "/api/v2/voucher/get_voucher", params={"voucher_id": "x1"})
    assert_error(response, "error_param", "Invalid voucher_id: expected an integer, got 'x1'.")
    response = shopee.shop("GET", "/api/v2/voucher/get_voucher")
    assert_error(response, "error_param", "There is no voucher_id in query.")


def test_deleting_an_upcoming_voucher_removes_it(shopee):
    payload = shopee.shop("POST", DELETE, body={"voucher_id": UPCOMING}).json()
    assert (payload["error"], payload["response"]) == ("", {"voucher_id": UPCOMING})
    assert_error(
        shopee.shop("GET", "/api/v2/voucher/get_voucher", params={"voucher_id": UPCOMING}),
        "common.error_not_found",
        NOT_FOUND,
    )


@pytest.mark.parametrize("voucher_id", [ONGOING, EXPIRED])
def test_only_upcoming_vouchers_can_be_deleted(shopee, voucher_id):
    response = shopee.shop("POST", DELETE, body={"voucher_id": voucher_id})
    assert_error(
        response, "voucher.delete_voucher_status_error", "Can only delete the upcoming voucher."
    )
    assert shopee.get(voucher_id)["error"] == ""


def test_a_shopee_created_upcoming_voucher_cannot_be_deleted(shopee):
    response = shopee.shop("POST", DELETE, body={"voucher_id": UPCOMING_ADMIN})
    assert_error(response, "voucher.operate_voucher_permission_error", PERMISSION_MESSAGE)
