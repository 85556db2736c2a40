"""Discount (module discount): list, get, end (ongoing, an hour after its start), delete
(upcoming), update (end only shortened), Shopee-created refusals, answers field by field."""

import pytest

from sandbox.testing import SandboxControlError
from tests.sandbox.promotion_helpers import (
    BIG,
    DAY,
    EXPIRED,
    FRESH,
    HOUR,
    ONGOING,
    SHOP2,
    SHOPEE_ONGOING,
    SHOPEE_UPCOMING,
    UPCOMING,
    get,
    post,
    promotion_document,
    refused,
    stored,
    success,
)

K = "discount"
NOT_FOUND = ("common.error_not_found", "The information you queried is not found.")
ADMIN = ("discount.error_update_admin_discount", "The discount created by admin can't be edited")
LIVE = (
    "discount.error_update_streaming_discount",
    "The discount created by livestreaming can't be edited",
)
NOT_ONGOING = ("discount.discount_not_ongoing", "The ongoing discount cannot be deleted.")
IS_ONGOING = ("discount.discount_is_ongoing", "Only the ongoing discount can be ended.")
IS_END = ("discount.discount_is_end", "The end discount cannot be updated or deleted.")
TOO_EARLY = (
    "discount.end_discount_time_error",
    "Only can end the discount after 1 hour of start time.",
)
ONGOING_IDS = [ONGOING, SHOPEE_ONGOING, FRESH, BIG]


def listing(shopee, **params):
    return success(
        get(shopee, K, "get_discount_list", **({"page_no": 1, "page_size": 100} | params))
    )


def ids(page):
    return [d["discount_id"] for d in page["discount_list"]]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ongoing", ONGOING_IDS),
        ("upcoming", [UPCOMING, SHOPEE_UPCOMING]),
        ("expired", [EXPIRED]),
        ("all", sorted([*ONGOING_IDS, UPCOMING, SHOPEE_UPCOMING, EXPIRED])),
    ],
)
def test_list_filters_by_status_string_in_id_order(promotions, shopee, status, expected):
    page = listing(shopee, discount_status=status)
    assert ids(page) == expected and page["more"] is False
    if status != "all":
        assert {d["status"] for d in page["discount_list"]} == {status}


def test_list_items_are_shopees_fields_with_status_and_source(promotions, shopee):
    items = {d["discount_id"]: d for d in listing(shopee, discount_status="all")["discount_list"]}
    assert set(listing(shopee, discount_status="all")) == {"discount_list", "more"}
    assert items[ONGOING] == {
        "status": "ongoing",
        "discount_name": f"Discount {ONGOING}",
        "start_time": promotions - HOUR - 60,
        "end_time": promotions - HOUR - 60 + 2 * DAY,
        "discount_id": ONGOING,
        "source": 0,
    }
    assert (items[UPCOMING]["status"], items[EXPIRED]["status"]) == ("upcoming", "expired")
    assert items[SHOPEE_ONGOING]["source"] == 1


def test_paging_edges(promotions, shopee):
    every = ids(listing(shopee, discount_status="all"))
    pages = [listing(shopee, discount_status="all", page_size=3, page_no=n) for n in (1, 2, 3)]
    assert [p["more"] for p in pages] == [True, True, False]
    assert sum((ids(p) for p in pages), []) == every
    assert listing(shopee, discount_status="all", page_size=7)["more"] is False  # exactly 7
    assert listing(shopee, discount_status="all", page_no=9) == {"discount_list": [], "more": False}


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"page_no": 1, "page_size": 10}, "there is no discount_status in query"),
        ({"discount_status": "active", "page_no": 1, "page_size": 10}, "discount_status must be"),
        ({"discount_status": "all", "page_size": 10}, "there is no page_no in query"),
        ({"discount_status": "all", "page_no": 1}, "there is no page_size in query"),
        ({"discount_status": "all", "page_no": 0, "page_size": 10}, "page_no must be an integer"),
        ({"discount_status": "all", "page_no": 1, "page_size": 101}, "between 1 and 100"),
        ({"discount_status": "all", "page_no": 1, "page_size": 0}, "between 1 and 100"),
        (
            {
                "discount_status": "all",
                "page_no": 1,
                "page_size": 5,
                "update_time_from": 1,
                "update_time_to": 1 + 30 * DAY + 1,
            },
            "update_time_to must be 0 to 30 days after update_time_from",
        ),
    ],
)
def test_list_parameter_errors(promotions, shopee, params, detail):
    payload = get(shopee, K, "get_discount_list", **params).json()
    assert (payload["error"], payload["response"]) == ("error_param", {}), payload
    assert payload["message"].startswith("Wrong parameters, detail: ")
    assert detail in payload["message"]


def test_update_time_window_filters_on_the_last_change(promotions, shopee, control):
    control.advance_clock(2 * HOUR)
    success(post(shopee, K, "end_discount", discount_id=ONGOING))
    now = control.now()
    changed = listing(shopee, discount_status="all", update_time_from=now - 5, update_time_to=now)
    assert ids(changed) == [ONGOING]
    unchanged = listing(shopee, discount_status="all", update_time_to=now - 5)
    assert ids(unchanged) == [
        i for i in ids(listing(shopee, discount_status="all")) if i != ONGOING
    ]


def test_get_discount_answers_its_fields_without_source(promotions, shopee, control):
    control.update_promotion(K, 14701711, ONGOING, item_list=[{"item_id": n} for n in range(3)])
    first = success(get(shopee, K, "get_discount", discount_id=ONGOING, page_no=1, page_size=2))
    assert first == {
        "status": "ongoing",
        "discount_name": f"Discount {ONGOING}",
        "item_list": [{"item_id": 0}, {"item_id": 1}],
        "start_time": promotions - HOUR - 60,
        "discount_id": ONGOING,
        "end_time": promotions - HOUR - 60 + 2 * DAY,
        "more": True,
    }
    second = success(get(shopee, K, "get_discount", discount_id=ONGOING, page_no=2, page_size=2))
    assert (second["item_list"], second["more"]) == ([{"item_id": 2}], False)
    missing = get(shopee, K, "get_discount", discount_id=ONGOING).json()
    assert missing["error"] == "error_param" and "page_no" in missing["message"]


@pytest.mark.parametrize("discount_id", [999, SHOP2])  # unknown; another shop's
def test_unknown_or_another_shops_discount_is_not_found(promotions, shopee, discount_id):
    refused(
        get(shopee, K, "get_discount", discount_id=discount_id, page_no=1, page_size=5),
        *NOT_FOUND,
        {},
    )
    for api in ("end_discount", "delete_discount", "update_discount"):
        refused(post(shopee, K, api, discount_id=discount_id), *NOT_FOUND, {})


def test_ending_an_ongoing_discount_answers_modify_time_and_expires_it(promotions, shopee, control):
    answer = success(post(shopee, K, "end_discount", discount_id=ONGOING))
    now = control.now()
    assert answer == {"discount_id": ONGOING, "modify_time": pytest.approx(now, abs=2)}
    assert stored(control, K, ONGOING)["end_time"] == answer["modify_time"]
    assert ONGOING in ids(listing(shopee, discount_status="expired"))
    refused(post(shopee, K, "end_discount", discount_id=ONGOING), *NOT_ONGOING, {})


@pytest.mark.parametrize("discount_id", [UPCOMING, EXPIRED])
def test_only_an_ongoing_discount_can_be_ended(promotions, shopee, discount_id):
    refused(post(shopee, K, "end_discount", discount_id=discount_id), *NOT_ONGOING, {})


def test_a_discount_can_be_ended_only_an_hour_after_its_start(promotions, shopee, control):
    refused(post(shopee, K, "end_discount", discount_id=FRESH), *TOO_EARLY, {})
    control.advance_clock(HOUR // 2 - 2)
    refused(post(shopee, K, "end_discount", discount_id=FRESH), *TOO_EARLY, {})
    control.advance_clock(5)
    assert success(post(shopee, K, "end_discount", discount_id=FRESH))["discount_id"] == FRESH


@pytest.mark.parametrize(("source", "error"), [(1, ADMIN), (7, LIVE)])
@pytest.mark.parametrize("discount_id", [SHOPEE_ONGOING, SHOPEE_UPCOMING, EXPIRED])
def test_admin_and_live_stream_discounts_are_refused_before_status(
    promotions, shopee, control, source, error, discount_id
):
    control.update_promotion(K, 14701711, discount_id, source=source)
    for api in ("end_discount", "delete_discount", "update_discount"):
        refused(post(shopee, K, api, discount_id=discount_id), *error, {})
    assert stored(control, K, discount_id)["source"] == source


def test_deleting_an_upcoming_discount_removes_it(promotions, shopee, control):
    answer = success(post(shopee, K, "delete_discount", discount_id=UPCOMING))
    assert answer == {"discount_id": UPCOMING, "modify_time": pytest.approx(control.now(), abs=2)}
    assert stored(control, K, UPCOMING) is None
    refused(post(shopee, K, "delete_discount", discount_id=UPCOMING), *NOT_FOUND, {})


def test_ongoing_and_expired_discounts_cannot_be_deleted(promotions, shopee):
    refused(post(shopee, K, "delete_discount", discount_id=ONGOING), *IS_ONGOING, {})
    refused(post(shopee, K, "delete_discount", discount_id=EXPIRED), *IS_END, {})


def test_update_shortens_the_end_and_renames(promotions, shopee, control):
    new_end = control.now() + HOUR
    answer = success(
        post(
            shopee,
            K,
            "update_discount",
            discount_id=ONGOING,
            end_time=new_end,
            discount_name="Shorter",
        )
    )
    assert answer == {"discount_id": ONGOING, "modify_time": pytest.approx(control.now(), abs=2)}
    record = stored(control, K, ONGOING)
    assert (record["end_time"], record["discount_name"]) == (new_end, "Shorter")


@pytest.mark.parametrize(
    ("discount_id", "change", "error"),
    [
        (ONGOING, {"end_time": "+3d"}, "discount.extend_discount_end_time_error"),
        (ONGOING, {"end_time": "-1"}, "discount.discount_end_time_smaller_than_now"),
        (ONGOING, {"start_time": "+1h"}, "discount.update_ongoing_discount_start_time"),
        (UPCOMING, {"start_time": "+1h"}, "discount.short_discount_start_time"),
        (UPCOMING, {"end_time": "+2h30m"}, "discount.discount_period_too_short"),
        (EXPIRED, {"discount_name": "x"}, "discount.discount_is_end"),
    ],
)
def test_update_refusals(promotions, shopee, control, discount_id, change, error):
    now = control.now()
    offsets = {"+3d": 3 * DAY, "-1": -1, "+1h": HOUR, "+2h30m": 2 * HOUR + 1800}
    body = {k: (now + offsets[v] if k.endswith("_time") else v) for k, v in change.items()}
    payload = post(shopee, K, "update_discount", discount_id=discount_id, **body).json()
    assert (payload["error"], payload["response"]) == (error, {}), payload
    before = stored(control, K, discount_id)
    assert {k: before[k] for k in body} != body


def test_a_period_of_180_days_or_more_is_refused_on_update(promotions, shopee, control):
    now = control.now()
    control.update_promotion(K, 14701711, ONGOING, end_time=now + 200 * DAY)
    control.update_promotion(K, 14701711, UPCOMING, end_time=now + 200 * DAY)
    refused(
        post(shopee, K, "update_discount", discount_id=ONGOING, end_time=now + 190 * DAY),
        "discount.ongoing_discount_period_too_long",
        "Promotion period must be less than 180 days, please end it within 30 days",
        {},
    )
    refused(
        post(shopee, K, "update_discount", discount_id=UPCOMING, end_time=now + 190 * DAY),
        "discount.discount_period_too_long",
        "Promotion duration must be within 180 days.",
        {},
    )


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"{", "the request body is not valid JSON"),
        (b"[1]", "the request body must be a JSON object"),
        (b"{}", "there is no discount_id in body"),
        (b'{"discount_id": "11"}', "discount_id must be an integer >= 0, got '11'"),
    ],
)
def test_bad_bodies_are_parameter_errors(promotions, shopee, data, detail):
    response = shopee.shop("POST", "/api/v2/discount/end_discount", data=data)
    refused(response, "error_param", f"Wrong parameters, detail: {detail}.", {})


def test_ids_beyond_32_bits(promotions, shopee):
    assert success(post(shopee, K, "end_discount", discount_id=BIG))["discount_id"] == BIG


def test_the_swapped_looking_messages_are_configurable(promotions, shopee, control):
    answer = control.set_discount_messages("by_meaning")
    assert answer["discount_messages"] == "by_meaning"
    refused(
        post(shopee, K, "end_discount", discount_id=UPCOMING),
        "discount.discount_not_ongoing",
        "Only the ongoing discount can be ended.",
        {},
    )
    refused(
        post(shopee, K, "delete_discount", discount_id=ONGOING),
        "discount.discount_is_ongoing",
        "The ongoing discount cannot be deleted.",
        {},
    )
    with pytest.raises(SandboxControlError) as error:
        control.set_discount_messages("other")
    assert error.value.status == 400
    control.reset(promotion_document(control.now()))  # a reset goes back to Shopee's pairs
    refused(post(shopee, K, "end_discount", discount_id=UPCOMING), *NOT_ONGOING, {})


def test_an_upcoming_discount_starts_later(promotions, shopee, control):
    later = control.now() + 3 * HOUR
    success(post(shopee, K, "update_discount", discount_id=UPCOMING, start_time=later))
    assert stored(control, K, UPCOMING)["start_time"] == later
    assert UPCOMING in ids(listing(shopee, discount_status="upcoming"))
