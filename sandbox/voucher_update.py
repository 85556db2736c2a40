"""``POST /api/v2/voucher/update_voucher`` (shop API), with Shopee's rules (shopee-api.md section 7
and Shopee's reference page for the API).

Body: ``{"voucher_id": int, ...fields to change}`` where the fields are ``voucher_name`` (non-empty
string), ``start_time``, ``end_time``, ``display_start_time`` (Unix seconds), ``usage_quantity``
(integer >= 1), ``min_basket_price``, ``discount_amount``, ``max_price`` (numbers >= 0),
``percentage`` (integer >= 0), ``display_channel_list`` (integers, each 1 display all, 2 order
page, 3 feed, 4 live streaming; ``[]`` hides the voucher), ``item_id_list`` (integers). Other
body fields are ignored. Answers ``{"response": {"voucher_id": int}}``; the voucher keeps every
field not given. Checks, in this order, the first failure winning:

1. :func:`sandbox.common.authenticate_shop`; ``voucher_id`` missing/not an integer, or a field of
   the wrong type -> ``error_param`` "Invalid usage_quantity: expected an integer >= 1, got '5'."
   (ours, like the other voucher APIs);
2. unknown voucher (or another shop's) -> ``common.error_not_found``;
3. ``is_admin``, ``voucher_purpose`` 3, 4, 6 or ``voucher_campaign`` ->
   ``voucher.operate_voucher_permission_error``;
4. expired voucher -> ``voucher.update_end_voucher_error`` "Cannot update an expired voucher."
   (our choice: Shopee's code for "the voucher has ended", as end_voucher answers it; the
   message is ours);
5. ongoing voucher given any field but ``voucher_name``, ``usage_quantity``, ``end_time``,
   ``display_channel_list``, ``item_id_list`` -> ``voucher.voucher_ongoing_param_error`` (a field
   given counts, even with its current value);
6. ongoing voucher: ``usage_quantity`` below the current one ->
   ``voucher.voucher_quantity_reduce_error`` "Only allow to increase the voucher quantity.";
7. ``end_time`` later than the current end_time (any status) ->
   ``voucher.voucher_end_time_reduce_error``; ``end_time`` before now -> ``error_param``
   "Invalid end_time: it is earlier than the current time." (ours);
8. upcoming voucher: ``start_time`` before now -> ``voucher.voucher_start_time_error`` "Voucher
   start time is earlier than current time.";
9. when ``start_time`` or ``end_time`` is given, with the new values: end less than 1 hour after
   start -> ``voucher.voucher_time_period_error`` "Voucher end time must be 1 hour later than the
   start time."; longer than 3 months (taken as 90 days) and longer than before ->
   ``voucher.voucher_end_time_error`` "Voucher valid period can not be longer than 3 months." (a
   voucher made longer by the control API or a reset is not refused for being shortened);
10. a fixed-amount voucher (``reward_type`` 1) whose new ``min_basket_price`` is not 0 and not
    above its ``discount_amount`` -> ``voucher.voucher_min_price_error`` (when either is given);
11. ``display_channel_list`` with a value outside 1-4 or twice ->
    ``voucher.voucher_display_channel_error`` "Voucher display channel is set wrongly.";
    ``item_id_list`` with an id twice -> ``voucher.voucher_item_duplication_error``.

Business errors carry ``"response": ""``; messages not marked ours are Shopee's. Shopee also caps
a shop at 1,000 ongoing plus upcoming vouchers (``voucher_over_limit``), which concerns creating
vouchers, not updating them. Callers hold the state lock.
"""

from __future__ import annotations

from typing import Any

from sandbox import wire
from sandbox.common import authenticate_shop, int_field, json_body, parse_int
from sandbox.documents import voucher_status
from sandbox.state import SandboxState
from sandbox.voucher_api import business_error, check_permission, find_voucher, ok

UPDATE_VOUCHER_PATH = "/api/v2/voucher/update_voucher"
ONGOING_CHANGEABLE = (
    "voucher_name",
    "usage_quantity",
    "end_time",
    "display_channel_list",
    "item_id_list",
)
MIN_PERIOD = 3600
MAX_PERIOD = 90 * 86400  # "3 months"
DISPLAY_CHANNELS = frozenset({1, 2, 3, 4})

ONGOING_PARAM_ERROR = (  # Shopee's wording, typo included
    "Only limited fields can be modified when the voucher is ongoing. Fileds allow modification: "
    "voucher_name,usage_quantity,end_time,display_channel_list, item_id_list"
)
END_TIME_REDUCE_ERROR = "Only allow to shorten the voucher end_time. Cannot extend the end_time."
QUANTITY_REDUCE_ERROR = "Only allow to increase the voucher quantity."
START_TIME_ERROR = "Voucher start time is earlier than current time."
TIME_PERIOD_ERROR = "Voucher end time must be 1 hour later than the start time."
END_TIME_ERROR = "Voucher valid period can not be longer than 3 months."
MIN_PRICE_ERROR = (
    "Min_basket_price must be higher than the fix amount if Min_basket_price is not 0."
)
DISPLAY_CHANNEL_ERROR = "Voucher display channel is set wrongly."
ITEM_DUPLICATION_ERROR = "Duplicated items in item_id_list."
EXPIRED_ERROR = "Cannot update an expired voucher."  # ours
END_TIME_PAST = "Invalid end_time: it is earlier than the current time."  # ours


def _integer(value: Any, *, low: int) -> int | None:
    number = None if isinstance(value, str) else parse_int(value)
    return number if number is not None and number >= low else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return value


def _integers(value: Any) -> list[int] | None:
    if not isinstance(value, list):
        return None
    numbers = [_integer(v, low=0) for v in value]
    return None if any(n is None for n in numbers) else numbers  # type: ignore[return-value]


# field -> (parser returning None when invalid, what the message says is expected)
_FIELDS: dict[str, tuple[Any, str]] = {
    "voucher_name": (lambda v: v if isinstance(v, str) and v else None, "a non-empty string"),
    "start_time": (lambda v: _integer(v, low=0), "an integer"),
    "end_time": (lambda v: _integer(v, low=0), "an integer"),
    "display_start_time": (lambda v: _integer(v, low=0), "an integer"),
    "usage_quantity": (lambda v: _integer(v, low=1), "an integer >= 1"),
    "min_basket_price": (_number, "a number >= 0"),
    "discount_amount": (_number, "a number >= 0"),
    "max_price": (_number, "a number >= 0"),
    "percentage": (lambda v: _integer(v, low=0), "an integer >= 0"),
    "display_channel_list": (_integers, "a list of integers"),
    "item_id_list": (_integers, "a list of integers"),
}


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """The fields to change, type-checked (step 1)."""
    changes: dict[str, Any] = {}
    for name, (parse, expected) in _FIELDS.items():
        if name not in body:
            continue
        value = parse(body[name])
        if value is None:
            raise wire.param_error(f"Invalid {name}: expected {expected}, got {body[name]!r}.")
        changes[name] = value
    return changes


def _check_times(voucher: dict[str, Any], changes: dict[str, Any], now: int, status: str) -> None:
    """Steps 6 to 9."""
    if (
        status == "ongoing"
        and changes.get("usage_quantity", voucher["usage_quantity"]) < (voucher["usage_quantity"])
    ):
        raise business_error("voucher.voucher_quantity_reduce_error", QUANTITY_REDUCE_ERROR)
    if "end_time" in changes:
        if changes["end_time"] > voucher["end_time"]:
            raise business_error("voucher.voucher_end_time_reduce_error", END_TIME_REDUCE_ERROR)
        if changes["end_time"] < now:
            raise wire.param_error(END_TIME_PAST)
    if "start_time" in changes and changes["start_time"] < now:
        raise business_error("voucher.voucher_start_time_error", START_TIME_ERROR)
    if "start_time" in changes or "end_time" in changes:
        period = changes.get("end_time", voucher["end_time"]) - changes.get(
            "start_time", voucher["start_time"]
        )
        if period < MIN_PERIOD:
            raise business_error("voucher.voucher_time_period_error", TIME_PERIOD_ERROR)
        if period > MAX_PERIOD and period > voucher["end_time"] - voucher["start_time"]:
            raise business_error("voucher.voucher_end_time_error", END_TIME_ERROR)


def _check_content(voucher: dict[str, Any], changes: dict[str, Any]) -> None:
    """Steps 10 and 11."""
    if {"min_basket_price", "discount_amount"} & set(changes) and voucher["reward_type"] == 1:
        minimum = changes.get("min_basket_price", voucher["min_basket_price"])
        amount = changes.get("discount_amount", voucher["discount_amount"])
        if minimum != 0 and minimum <= amount:
            raise business_error("voucher.voucher_min_price_error", MIN_PRICE_ERROR)
    channels = changes.get("display_channel_list")
    if channels is not None and (
        not set(channels) <= DISPLAY_CHANNELS or len(set(channels)) != len(channels)
    ):
        raise business_error("voucher.voucher_display_channel_error", DISPLAY_CHANNEL_ERROR)
    items = changes.get("item_id_list")
    if items is not None and len(set(items)) != len(items):
        raise business_error("voucher.voucher_item_duplication_error", ITEM_DUPLICATION_ERROR)


def update_voucher(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/voucher/update_voucher``: change some fields (see the module docstring)."""
    caller = authenticate_shop(state, req)
    body = json_body(req)
    voucher_id = int_field(body, "voucher_id", where="body")
    changes = _changes(body)
    voucher = find_voucher(state, caller.shop_id, voucher_id)
    check_permission(voucher)
    now = state.now()
    status = voucher_status(voucher, now)
    if status == "expired":
        raise business_error("voucher.update_end_voucher_error", EXPIRED_ERROR)
    if status == "ongoing" and set(changes) - set(ONGOING_CHANGEABLE):
        raise business_error("voucher.voucher_ongoing_param_error", ONGOING_PARAM_ERROR)
    _check_times(voucher, changes, now, status)
    _check_content(voucher, changes)
    voucher.update(changes)
    return ok({"voucher_id": voucher_id})
