"""POST /api/v2/voucher/update_voucher: what Shopee lets a partner change, and every refusal."""

import pytest

from tests.sandbox.helpers import (
    ADMIN,
    EXPIRED,
    MEMBERSHIP,
    ONGOING,
    SHOP2_VOUCHER,
    SHOP_FOLLOW,
    SHOP_GAME,
    SHOP_ID,
    UPCOMING_ADMIN,
    assert_error,
    assert_request_id,
)

UPDATE = "/api/v2/voucher/update_voucher"
DAY = 86400
FRESH = 500  # an upcoming voucher added per test: starts in a day, lasts 10 days


@pytest.fixture
def fresh(control):
    now = control.now()
    control.add_voucher(
        shop_id=SHOP_ID,
        voucher_id=FRESH,
        start_time=now + DAY,
        end_time=now + 11 * DAY,
        discount_amount=10.0,
        min_basket_price=50,
        usage_quantity=100,
    )
    return now


def update(shopee, voucher_id, **fields):
    return shopee.shop("POST", UPDATE, body={"voucher_id": voucher_id} | fields)


def stored(shopee, voucher_id):
    return shopee.get(voucher_id)["response"]


def refused(response, error, message):
    payload = assert_error(response, error, message)
    assert payload["response"] == ""
    return payload


def test_an_ongoing_voucher_changes_its_allowed_fields(control, shopee):
    before = stored(shopee, ONGOING)
    new_end = before["end_time"] - 600
    response = update(
        shopee,
        ONGOING,
        voucher_name="Renamed",
        usage_quantity=before["usage_quantity"] + 50,
        end_time=new_end,
        display_channel_list=[2, 3],
        item_id_list=[11, 12],
        something_shopee_ignores=True,
    )
    payload = response.json()
    assert_request_id(payload)
    assert payload == {
        "request_id": payload["request_id"],
        "error": "",
        "message": "",
        "response": {"voucher_id": ONGOING},
    }
    after = stored(shopee, ONGOING)
    assert (after["voucher_name"], after["usage_quantity"], after["end_time"]) == (
        "Renamed",
        before["usage_quantity"] + 50,
        new_end,
    )
    assert (after["display_channel_list"], after["item_id_list"]) == ([2, 3], [11, 12])
    assert after["start_time"] == before["start_time"]
    assert "something_shopee_ignores" not in after
    assert update(shopee, ONGOING, display_channel_list=[]).json()["error"] == ""  # hidden
    assert stored(shopee, ONGOING)["display_channel_list"] == []


ONGOING_MESSAGE = (
    "Only limited fields can be modified when the voucher is ongoing. Fileds allow modification: "
    "voucher_name,usage_quantity,end_time,display_channel_list, item_id_list"
)


@pytest.mark.parametrize(
    "fields",
    [
        {"start_time": 1},
        {"min_basket_price": 0},
        {"discount_amount": 5.0},
        {"percentage": 10},
        {"max_price": 1.0},
        {"display_start_time": 1},
        {"voucher_name": "ok", "discount_amount": 10.0},  # even its current value
    ],
)
def test_an_ongoing_voucher_refuses_other_fields(shopee, fields):
    before = stored(shopee, ONGOING)
    response = update(shopee, ONGOING, **fields)
    refused(response, "voucher.voucher_ongoing_param_error", ONGOING_MESSAGE)
    assert stored(shopee, ONGOING) == before


def test_an_ongoing_vouchers_quantity_only_goes_up(shopee):
    quantity = stored(shopee, ONGOING)["usage_quantity"]
    refused(
        update(shopee, ONGOING, usage_quantity=quantity - 1),
        "voucher.voucher_quantity_reduce_error",
        "Only allow to increase the voucher quantity.",
    )
    assert update(shopee, ONGOING, usage_quantity=quantity).json()["error"] == ""


def test_end_time_is_only_shortened_and_not_into_the_past(control, shopee, fresh):
    end = stored(shopee, ONGOING)["end_time"]
    message = "Only allow to shorten the voucher end_time. Cannot extend the end_time."
    refused(
        update(shopee, ONGOING, end_time=end + 1), "voucher.voucher_end_time_reduce_error", message
    )
    refused(
        update(shopee, FRESH, end_time=fresh + 12 * DAY),  # upcoming too
        "voucher.voucher_end_time_reduce_error",
        message,
    )
    assert_error(
        update(shopee, ONGOING, end_time=control.now() - 10),
        "error_param",
        "Invalid end_time: it is earlier than the current time.",
    )
    assert stored(shopee, ONGOING)["end_time"] == end


def test_an_upcoming_voucher_may_change_every_field(shopee, fresh):
    response = update(
        shopee,
        FRESH,
        start_time=fresh + 2 * DAY,
        end_time=fresh + 10 * DAY,
        display_start_time=fresh + DAY,
        usage_quantity=10,  # down is fine before the start
        min_basket_price=30.5,
        discount_amount=12,
        percentage=0,
        max_price=0,
        voucher_name="Later",
    )
    assert response.json()["error"] == "", response.json()
    after = stored(shopee, FRESH)
    assert (after["start_time"], after["end_time"], after["usage_quantity"]) == (
        fresh + 2 * DAY,
        fresh + 10 * DAY,
        10,
    )
    assert (after["min_basket_price"], after["discount_amount"]) == (30.5, 12)


def test_start_time_cannot_move_into_the_past(control, shopee, fresh):
    refused(
        update(shopee, FRESH, start_time=control.now() - 1),
        "voucher.voucher_start_time_error",
        "Voucher start time is earlier than current time.",
    )


def test_a_voucher_lasts_at_least_an_hour(shopee, fresh):
    message = "Voucher end time must be 1 hour later than the start time."
    refused(
        update(shopee, FRESH, end_time=fresh + DAY + 3599),
        "voucher.voucher_time_period_error",
        message,
    )
    refused(
        update(shopee, FRESH, start_time=fresh + 11 * DAY - 60),
        "voucher.voucher_time_period_error",
        message,
    )
    assert update(shopee, FRESH, end_time=fresh + DAY + 3600).json()["error"] == ""


def test_a_voucher_lasts_at_most_3_months(control, shopee):
    now = control.now()
    control.add_voucher(
        shop_id=SHOP_ID, voucher_id=600, start_time=now + 30 * DAY, end_time=now + 100 * DAY
    )
    refused(
        update(shopee, 600, start_time=now + 9 * DAY),  # 91 days
        "voucher.voucher_end_time_error",
        "Voucher valid period can not be longer than 3 months.",
    )
    assert update(shopee, 600, start_time=now + 10 * DAY).json()["error"] == ""  # 90 days
    control.add_voucher(
        shop_id=SHOP_ID, voucher_id=601, start_time=now - DAY, end_time=now + 200 * DAY
    )
    shorter = update(shopee, 601, end_time=now + 150 * DAY)  # still long, but not longer
    assert shorter.json()["error"] == ""


def test_an_expired_voucher_cannot_be_updated(shopee):
    refused(
        update(shopee, EXPIRED, voucher_name="late"),
        "voucher.update_end_voucher_error",
        "Cannot update an expired voucher.",
    )


@pytest.mark.parametrize("voucher_id", [ADMIN, SHOP_GAME, MEMBERSHIP, SHOP_FOLLOW, UPCOMING_ADMIN])
def test_shopee_managed_vouchers_cannot_be_updated(shopee, voucher_id):
    message = (
        "The Voucher created in Shopee admin/Shop Game/Follow Prize/Member ship/Voucher campaign "
        "can't be updated"
    )
    refused(
        update(shopee, voucher_id, voucher_name="x"),
        "voucher.operate_voucher_permission_error",
        message,
    )


@pytest.mark.parametrize("voucher_id", [424242, SHOP2_VOUCHER])
def test_an_unknown_or_other_shops_voucher_is_not_found(shopee, voucher_id):
    refused(
        update(shopee, voucher_id, voucher_name="x"),
        "common.error_not_found",
        "The information you queried is not found.",
    )


def test_min_basket_price_must_stay_above_a_fixed_amount(shopee, fresh):
    message = "Min_basket_price must be higher than the fix amount if Min_basket_price is not 0."
    refused(update(shopee, FRESH, min_basket_price=10), "voucher.voucher_min_price_error", message)
    refused(update(shopee, FRESH, discount_amount=60), "voucher.voucher_min_price_error", message)
    assert update(shopee, FRESH, min_basket_price=0, discount_amount=60).json()["error"] == ""


@pytest.mark.parametrize("channels", [[5], [0], [1, 1]])
def test_display_channels_are_1_to_4_once_each(shopee, channels):
    refused(
        update(shopee, ONGOING, display_channel_list=channels),
        "voucher.voucher_display_channel_error",
        "Voucher display channel is set wrongly.",
    )


def test_item_ids_are_listed_once(shopee):
    refused(
        update(shopee, ONGOING, item_id_list=[7, 8, 7]),
        "voucher.voucher_item_duplication_error",
        "Duplicated items in item_id_list.",
    )


def test_voucher_id_is_required_and_an_integer(shopee):
    assert_error(
        shopee.shop("POST", UPDATE, body={}), "error_param", "There is no voucher_id in body."
    )
    assert_error(
        update(shopee, "1"), "error_param", "Invalid voucher_id: expected an integer, got '1'."
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("voucher_name", 5, "a non-empty string"),
        ("voucher_name", "", "a non-empty string"),
        ("usage_quantity", "5", "an integer >= 1"),
        ("usage_quantity", 0, "an integer >= 1"),
        ("end_time", True, "an integer"),
        ("start_time", 1.5, "an integer"),
        ("min_basket_price", -1, "a number >= 0"),
        ("percentage", -1, "an integer >= 0"),
        ("item_id_list", [1, "2"], "a list of integers"),
        ("display_channel_list", 1, "a list of integers"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_parameter_error(shopee, field, value, expected):
    before = stored(shopee, ONGOING)
    message = f"Invalid {field}: expected {expected}, got {value!r}."
    assert_error(update(shopee, ONGOING, **{field: value}), "error_param", message)
    assert stored(shopee, ONGOING) == before


def test_the_common_checks_apply(control, shopee):
    response = shopee.shop("POST", UPDATE, body={"voucher_id": ONGOING}, partner_key="wrong")
    assert_error(response, "error_sign", "Wrong sign.")
    control.cancel_authorization(SHOP_ID)
    response = update(shopee, ONGOING, voucher_name="x")
    assert_error(response, "error_auth", "The shop's authorization to the partner was cancelled.")
    assert [call["path"] for call in control.calls()][-1] == UPDATE
