"""Follow prize (module follow_prize): status strings, campaign_status, errors whose response is
"" (not {}), end (ongoing), delete (upcoming), update, and no Shopee-created follow prize."""

import pytest

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import SHOP_ID
from tests.sandbox.promotion_helpers import (
    BIG,
    DAY,
    EXPIRED,
    HOUR,
    ONGOING,
    SHOP2,
    UPCOMING,
    get,
    post,
    refused,
    stored,
    success,
)

K = "follow_prize"
NONE = ("follow_prize.campaign_none", "The promotion id is not existed")
END_TYPE = ("follow_prize.end_type", "Only the ongoing follow prize can be ended")
DELETE_TYPE = ("follow_prize.delete_type", "Only the upcoming promotions can be deleted")


def listing(shopee, **params):
    return success(get(shopee, K, "get_follow_prize_list", **params))


def ids(page):
    return [f["campaign_id"] for f in page["follow_prize_list"]]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ongoing", [ONGOING]),
        ("upcoming", [UPCOMING]),
        ("expired", [EXPIRED, BIG]),
        ("all", [ONGOING, UPCOMING, EXPIRED, BIG]),
    ],
)
def test_list_filters_by_status(promotions, shopee, status, expected):
    page = listing(shopee, status=status)
    assert (ids(page), page["more"]) == (expected, False)


def test_list_items_and_detail_fields(promotions, shopee):
    page = listing(shopee, status="all")
    assert list(page) == ["more", "follow_prize_list"]
    item = page["follow_prize_list"][0]
    assert item == {
        "campaign_id": ONGOING,
        "campaign_status": "ongoing",
        "follow_prize_name": f"Follow {ONGOING}",
        "start_time": promotions - HOUR - 60,
        "end_time": promotions + 2 * DAY,
        "usage_quantity": 100,
        "claimed": 0,
    }
    detail = success(get(shopee, K, "get_follow_prize_detail", campaign_id=UPCOMING))
    assert detail == {
        "campaign_status": "upcoming",
        "campaign_id": UPCOMING,
        "usage_quantity": 100,
        "start_time": promotions + 3 * DAY,
        "end_time": promotions + 5 * DAY,
        "min_spend": 0,
        "reward_type": 1,
        "follow_prize_name": f"Follow {UPCOMING}",
        "discount_amount": 5,
        "percentage": 0,
        "max_price": 0,
    }


def test_paging(promotions, shopee):
    pages = [listing(shopee, status="all", page_size=3, page_no=n) for n in (1, 2)]
    assert [(ids(p), p["more"]) for p in pages] == [
        ([ONGOING, UPCOMING, EXPIRED], True),
        ([BIG], False),
    ]
    assert len(ids(listing(shopee, status="all", page_size=100))) == 4
    assert ids(listing(shopee, status="all", page_no=5000)) == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "live"},
        {"status": "all", "page_no": 0},
        {"status": "all", "page_no": 5001},
        {"status": "all", "page_size": 0},
        {"status": "all", "page_size": 101},
    ],
)
def test_list_parameter_errors(promotions, shopee, params):
    payload = get(shopee, K, "get_follow_prize_list", **params).json()
    assert (payload["error"], payload["response"]) == ("common.error_param", ""), payload
    assert payload["message"].startswith("Wrong parameters, detail: ")


@pytest.mark.parametrize("campaign_id", [999, SHOP2])
def test_unknown_or_another_shops_prize_is_campaign_none(promotions, shopee, campaign_id):
    refused(get(shopee, K, "get_follow_prize_detail", campaign_id=campaign_id), *NONE, "")
    for api in ("end_follow_prize", "delete_follow_prize", "update_follow_prize"):
        refused(post(shopee, K, api, campaign_id=campaign_id), *NONE, "")


def test_ending_an_ongoing_prize(promotions, shopee, control):
    assert success(post(shopee, K, "end_follow_prize", campaign_id=ONGOING)) == {
        "campaign_id": ONGOING
    }
    assert stored(control, K, ONGOING)["end_time"] == pytest.approx(control.now(), abs=2)
    refused(post(shopee, K, "end_follow_prize", campaign_id=ONGOING), *END_TYPE, "")


@pytest.mark.parametrize("campaign_id", [UPCOMING, EXPIRED])
def test_only_an_ongoing_prize_can_be_ended(promotions, shopee, campaign_id):
    refused(post(shopee, K, "end_follow_prize", campaign_id=campaign_id), *END_TYPE, "")


def test_deleting_an_upcoming_prize_answers_campaign_id(promotions, shopee, control):
    answer = success(post(shopee, K, "delete_follow_prize", campaign_id=UPCOMING))
    assert answer == {"campaign_id": UPCOMING}  # Shopee's sample (its field list: campagin_id)
    assert stored(control, K, UPCOMING) is None


@pytest.mark.parametrize("campaign_id", [ONGOING, EXPIRED])
def test_only_an_upcoming_prize_can_be_deleted(promotions, shopee, campaign_id):
    refused(post(shopee, K, "delete_follow_prize", campaign_id=campaign_id), *DELETE_TYPE, "")


def test_there_is_no_shopee_created_follow_prize(promotions, control):
    with pytest.raises(SandboxControlError) as error:
        control.add_promotion(K, shop_id=SHOP_ID, campaign_id=500, shopee_created=True)
    assert error.value.status == 400
    assert "no Shopee-created follow prize" in error.value.payload["error"]


def test_update_shortens_the_end(promotions, shopee, control):
    new_end = control.now() + DAY
    answer = success(
        post(
            shopee,
            K,
            "update_follow_prize",
            campaign_id=ONGOING,
            end_time=new_end,
            usage_quantity=150,
        )
    )
    assert answer == {"campaign_id": ONGOING}
    record = stored(control, K, ONGOING)
    assert (record["end_time"], record["usage_quantity"]) == (new_end, 150)


@pytest.mark.parametrize(
    ("campaign_id", "change", "error", "message"),
    [
        (
            ONGOING,
            {"end_time": 3 * DAY},
            "follow_prize.update_end_time_later",
            "Promotion end time can only be changed to an earlier timing.",
        ),
        (
            ONGOING,
            {"start_time": HOUR},
            "follow_prize.update_start_time_ongoing",
            "Cannot update start time which is ongoing",
        ),
        (
            ONGOING,
            {"follow_prize_name": "x"},
            "follow_prize.update_prize_name_ongoing",
            "Cannot rename follow prize name which is ongoing",
        ),
        (
            ONGOING,
            {"min_spend": 5},
            "follow_prize.update_min_spend_ongoing",
            "Minimum Basket Price can't be updated which is ongoing",
        ),
        (
            ONGOING,
            {"usage_quantity": 50},
            "follow_prize.update_quantity_reduce",
            "Cannot reduce dispatch quantity.",
        ),
        (
            ONGOING,
            {"usage_quantity": 200_001},
            "follow_prize.quota_out_range",
            "Please enter a value between 1 and 200000",
        ),
        (
            UPCOMING,
            {"start_time": DAY},
            "follow_prize.update_start_time_earlier",
            "Promotion start time can only be changed to a later timing.",
        ),
        (
            UPCOMING,
            {"end_time": 3 * DAY + HOUR},
            "follow_prize.end_time_min_limit",
            "The end time must be greater than the start time by at least 1 day",
        ),
        (
            UPCOMING,
            {"follow_prize_name": "x" * 21},
            "follow_prize.name_length_limit",
            "please input up to 20 characters of follow prize name",
        ),
        (
            EXPIRED,
            {"follow_prize_name": "x"},
            "follow_prize.update_expired_campaign",
            "The expired follow prize can't be updated.",
        ),
    ],
)
def test_update_refusals(promotions, shopee, control, campaign_id, change, error, message):
    now = control.now()
    body = {k: (now + v if k.endswith("_time") else v) for k, v in change.items()}
    before = stored(control, K, campaign_id)
    refused(
        post(shopee, K, "update_follow_prize", campaign_id=campaign_id, **body), error, message, ""
    )
    assert stored(control, K, campaign_id) == before


def test_a_string_id_is_a_parameter_error_with_an_empty_string_response(promotions, shopee):
    refused(
        post(shopee, K, "end_follow_prize", campaign_id="11"),
        "common.error_param",
        "Wrong parameters, detail: campaign_id must be an integer >= 0, got '11'.",
        "",
    )


def test_an_upcoming_prize_starts_later_and_may_be_renamed(promotions, shopee, control):
    later = control.now() + 3 * DAY + HOUR
    answer = post(
        shopee,
        K,
        "update_follow_prize",
        campaign_id=UPCOMING,
        start_time=later,
        follow_prize_name="Later",
        min_spend=9.5,
    )
    assert success(answer) == {"campaign_id": UPCOMING}
    record = stored(control, K, UPCOMING)
    assert (record["start_time"], record["follow_prize_name"], record["min_spend"]) == (
        later,
        "Later",
        9.5,
    )
