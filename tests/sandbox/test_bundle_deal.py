"""Bundle deal (module bundle_deal): integer time_status, page_size up to 1000, no status or
source field, end (ongoing), delete (upcoming), update, Shopee-created refused by its error only."""

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

K = "bundle_deal"
NOT_FOUND = ("bundle.bundle_deal_not_exists", "Bundle deal doesn't existed")
NO_AUTH = ("bundle.bundle_deal_no_auth_update", "The shopee created bundle deal can't be edited")
STOP_FAILED = ("bundle.bundle_deal_stop_failed", "Only the ongoing bundle deal can be ended")
DELETE_FAILED = ("bundle.bundle_deal_delete_failed", "Only the upcoming bundle deal can be deleted")
ONGOING_IDS = [ONGOING, SHOPEE_ONGOING, BIG]
RULE = {
    "rule_type": 2,
    "discount_value": 0.0,
    "fix_price": 0.0,
    "discount_percentage": 10,
    "min_amount": 2,
}


def listing(shopee, **params):
    return success(get(shopee, K, "get_bundle_deal_list", **params))


def ids(page):
    return [b["bundle_deal_id"] for b in page["bundle_deal_list"]]


@pytest.mark.parametrize(
    ("time_status", "expected"),
    [
        (None, sorted([*ONGOING_IDS, UPCOMING, SHOPEE_UPCOMING, EXPIRED])),  # default 1: all
        (1, sorted([*ONGOING_IDS, UPCOMING, SHOPEE_UPCOMING, EXPIRED])),
        (2, [UPCOMING, SHOPEE_UPCOMING]),
        (3, ONGOING_IDS),
        (4, [EXPIRED]),
    ],
)
def test_list_filters_by_integer_time_status(promotions, shopee, time_status, expected):
    params = {} if time_status is None else {"time_status": time_status}
    page = listing(shopee, **params)
    assert (ids(page), page["more"]) == (expected, False)


def test_list_items_have_no_status_and_no_sign_of_shopee(promotions, shopee):
    items = {b["bundle_deal_id"]: b for b in listing(shopee)["bundle_deal_list"]}
    assert items[ONGOING] == {
        "bundle_deal_id": ONGOING,
        "name": f"Bundle {ONGOING}",
        "start_time": promotions - HOUR - 60,
        "end_time": promotions - HOUR - 60 + 2 * DAY,
        "bundle_deal_rule": RULE | {"additional_tiers": []},
        "purchase_limit": 1,
    }
    assert set(items[SHOPEE_ONGOING]) == set(items[ONGOING])  # nothing says it is Shopee's


def test_paging_defaults_to_20_and_allows_1000(promotions, shopee, control):
    for n in range(25):
        control.add_promotion(K, shop_id=SHOP_ID, bundle_deal_id=1000 + n)
    assert len(ids(listing(shopee))) == 20 and listing(shopee)["more"] is True
    assert len(ids(listing(shopee, page_size=1000))) == 31  # 6 of the world + 25
    second = listing(shopee, page_no=2)
    assert (len(ids(second)), second["more"]) == (11, False)
    assert listing(shopee, page_no=3) == {"bundle_deal_list": [], "more": False}


@pytest.mark.parametrize(
    "params",
    [
        {"time_status": 0},
        {"time_status": 5},
        {"time_status": "all"},
        {"page_size": 1001},
        {"page_size": 0},
        {"page_no": 0},
    ],
)
def test_list_parameter_errors(promotions, shopee, params):
    payload = get(shopee, K, "get_bundle_deal_list", **params).json()
    assert (payload["error"], payload["response"]) == ("error_param", {}), payload
    assert payload["message"].startswith("Wrong parameters, detail: ")


def test_get_bundle_deal_shows_additional_tiers_as_one_object(promotions, shopee, control):
    tiers = [
        {"min_amount": 3, "discount_percentage": 15},
        {"min_amount": 4, "discount_percentage": 20},
    ]
    rule = RULE | {"additional_tiers": tiers}
    control.update_promotion(K, SHOP_ID, ONGOING, bundle_deal_rule=rule)
    detail = success(get(shopee, K, "get_bundle_deal", bundle_deal_id=ONGOING))
    assert detail["bundle_deal_rule"]["additional_tiers"] == tiers[0]
    listed = {b["bundle_deal_id"]: b for b in listing(shopee)["bundle_deal_list"]}
    assert listed[ONGOING]["bundle_deal_rule"]["additional_tiers"] == tiers
    assert set(detail) == {
        "bundle_deal_id",
        "name",
        "start_time",
        "end_time",
        "bundle_deal_rule",
        "purchase_limit",
    }
    plain = success(get(shopee, K, "get_bundle_deal", bundle_deal_id=UPCOMING))
    assert plain["bundle_deal_rule"]["additional_tiers"] == {}


@pytest.mark.parametrize("bundle_deal_id", [999, SHOP2])
def test_unknown_or_another_shops_bundle_is_not_found(promotions, shopee, bundle_deal_id):
    refused(get(shopee, K, "get_bundle_deal", bundle_deal_id=bundle_deal_id), *NOT_FOUND, {})
    for api in ("end_bundle_deal", "delete_bundle_deal", "update_bundle_deal"):
        refused(post(shopee, K, api, bundle_deal_id=bundle_deal_id), *NOT_FOUND, {})


def test_ending_an_ongoing_bundle_answers_its_id_only(promotions, shopee, control):
    assert success(post(shopee, K, "end_bundle_deal", bundle_deal_id=ONGOING)) == {
        "bundle_deal_id": ONGOING
    }
    assert stored(control, K, ONGOING)["end_time"] == pytest.approx(control.now(), abs=2)
    assert ONGOING in ids(listing(shopee, time_status=4))
    refused(post(shopee, K, "end_bundle_deal", bundle_deal_id=ONGOING), *STOP_FAILED, {})


@pytest.mark.parametrize("bundle_deal_id", [UPCOMING, EXPIRED])
def test_only_an_ongoing_bundle_can_be_ended(promotions, shopee, bundle_deal_id):
    refused(post(shopee, K, "end_bundle_deal", bundle_deal_id=bundle_deal_id), *STOP_FAILED, {})


def test_deleting_an_upcoming_bundle_removes_it(promotions, shopee, control):
    assert success(post(shopee, K, "delete_bundle_deal", bundle_deal_id=UPCOMING)) == {
        "bundle_deal_id": UPCOMING
    }
    assert stored(control, K, UPCOMING) is None


@pytest.mark.parametrize("bundle_deal_id", [ONGOING, EXPIRED])
def test_only_an_upcoming_bundle_can_be_deleted(promotions, shopee, bundle_deal_id):
    response = post(shopee, K, "delete_bundle_deal", bundle_deal_id=bundle_deal_id)
    refused(response, *DELETE_FAILED, {})


@pytest.mark.parametrize("bundle_deal_id", [SHOPEE_ONGOING, SHOPEE_UPCOMING])
def test_shopee_created_bundles_are_refused_by_every_write(
    promotions, shopee, control, bundle_deal_id
):
    for api in ("end_bundle_deal", "delete_bundle_deal", "update_bundle_deal"):
        refused(post(shopee, K, api, bundle_deal_id=bundle_deal_id), *NO_AUTH, {})
    assert stored(control, K, bundle_deal_id)["end_time"] > control.now()
    control.update_promotion(K, SHOP_ID, bundle_deal_id, shopee_created=False)
    assert success(get(shopee, K, "get_bundle_deal", bundle_deal_id=bundle_deal_id))


def test_update_shortens_the_end_and_answers_the_whole_bundle(promotions, shopee, control):
    new_end = control.now() + HOUR
    answer = success(
        post(shopee, K, "update_bundle_deal", bundle_deal_id=ONGOING, end_time=new_end, name="B")
    )
    assert (answer["bundle_deal_id"], answer["end_time"], answer["name"]) == (ONGOING, new_end, "B")
    assert answer["bundle_deal_rule"]["additional_tiers"] == []
    assert "modify_time" not in answer


@pytest.mark.parametrize(
    ("bundle_deal_id", "change", "error", "message"),
    [
        (
            ONGOING,
            {"end_time": 3 * DAY},
            "bundle.bundle_deal_end_time_error",
            "Promotion end time can only be changed to an earlier timing.",
        ),
        (
            ONGOING,
            {"start_time": HOUR},
            "bundle.bundle_deal_start_time_error",
            "The start_time of ongoing promotion can't be updated",
        ),
        (
            ONGOING,
            {"fix_price": 5.0},
            "bundle.bundle_deal_ongoing_promotion_info_lock",
            "Cannot change rule_type, fix_price, discount_percentage, discount_value or tiers "
            "number if Bundle deal is ongoing.",
        ),
        (
            ONGOING,
            {"min_amount": 3},
            "bundle.bundle_deal_ongoing_promotion_info_lock_min_amount",
            "Cannot change min_amount if Bundle deal is ongoing and has enabled items",
        ),
        (
            UPCOMING,
            {"start_time": HOUR},
            "bundle.bundle_deal_start_time_error",
            "Promotion start time can only be changed to a later timing.",
        ),
        (
            UPCOMING,
            {"end_time": 2 * HOUR + 1800},
            "bundle.bundle_deal_min_span_within",
            "The promotion period must be greater than 1 hour",
        ),
        (
            UPCOMING,
            {"name": "x" * 26},
            "bundle.bundle_deal_name_length",
            "Name length can't be less than 1 or greater than 25",
        ),
        (
            UPCOMING,
            {"rule_type": 4},
            "bundle.bundle_deal_rule_type_value",
            "Please use correct bundle deal rule type",
        ),
        (EXPIRED, {"name": "x"}, "bundle.bundle_expired", "bundle deal expired can not update"),
    ],
)
def test_update_refusals(promotions, shopee, control, bundle_deal_id, change, error, message):
    now = control.now()
    body = {k: (now + v if k.endswith("_time") else v) for k, v in change.items()}
    before = stored(control, K, bundle_deal_id)
    refused(
        post(shopee, K, "update_bundle_deal", bundle_deal_id=bundle_deal_id, **body),
        error,
        message,
        {},
    )
    assert stored(control, K, bundle_deal_id) == before


def test_an_upcoming_bundles_rule_may_change(promotions, shopee):
    answer = success(
        post(
            shopee,
            K,
            "update_bundle_deal",
            bundle_deal_id=UPCOMING,
            rule_type=1,
            fix_price=9.5,
            min_amount=3,
        )
    )
    rule = answer["bundle_deal_rule"]
    assert (rule["rule_type"], rule["fix_price"], rule["min_amount"]) == (1, 9.5, 3)


def test_a_string_id_is_a_parameter_error(promotions, shopee):
    response = post(shopee, K, "end_bundle_deal", bundle_deal_id=str(ONGOING))
    refused(
        response,
        "error_param",
        "Wrong parameters, detail: bundle_deal_id must be an integer >= 0, got '11'.",
        {},
    )


def test_ids_beyond_32_bits(promotions, shopee):
    assert success(post(shopee, K, "end_bundle_deal", bundle_deal_id=BIG)) == {
        "bundle_deal_id": BIG
    }
