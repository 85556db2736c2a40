"""Discount (module ``discount``, shopee-promotions.md section 2).

Record: ``discount_id``, ``discount_name``, ``start_time``, ``end_time``, ``source`` (0 others,
1 admin, 7 live stream), ``item_list`` (get_discount's items, as given), ``update_time``.

* ``GET get_discount_list?discount_status&page_no&page_size[&update_time_from&update_time_to]``:
  all three required; status upcoming/ongoing/expired/all; ``page_no`` >= 1, ``page_size``
  1-100; the update-time window (either bound alone, or both at most 30 days apart) filters on
  the last change. Items ``{status, discount_name, start_time, end_time, discount_id, source}``,
  ``more``.
* ``GET get_discount?discount_id&page_no&page_size``: ``{status, discount_name, item_list,
  start_time, discount_id, end_time, more}`` (items paged, ``page_size`` 1-100: Shopee states no
  cap, v1 had 100). No ``source`` here: only the list shows it.
* ``POST end_discount {discount_id}``: ongoing only and only once an hour has passed since
  ``start_time``; ``end_time`` becomes now. ``delete_discount``: upcoming only; removes it.
  ``update_discount {discount_id, discount_name?, start_time?, end_time?}``. All three answer
  ``{discount_id, modify_time}`` (the only module that answers ``modify_time``).

Refusals, first failure wins: parameters (``error_param`` "Wrong parameters, detail: ...");
unknown -> ``common.error_not_found``; ``source`` 1 -> ``discount.error_update_admin_discount``,
7 -> ``discount.error_update_streaming_discount`` (Shopee documents these on
update_discount_item only; the contract's decision applies them to end, delete and update too);
then the status rules. End and delete use Shopee's observed key/message pairs, which look
swapped (section 10.1): deleting an ongoing discount -> ``discount.discount_is_ongoing`` "Only
the ongoing discount can be ended."; ending one that is not ongoing ->
``discount.discount_not_ongoing`` "The ongoing discount cannot be deleted." (:data:`END_DELETE`
holds the pairs; ``POST /_sandbox/settings {"discount_messages": "by_meaning"}`` keeps the keys
and swaps the messages, section 10.1's "configurable"). Errors carry ``"response": {}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import wire
from sandbox.common import authenticate_shop
from sandbox.fields import DocumentError
from sandbox.promotions import base
from sandbox.promotions.base import DAY, EXPIRED, HOUR, ONGOING, Kind

if TYPE_CHECKING:
    from sandbox.state import SandboxState

ADMIN, LIVE_STREAM = 1, 7
SOURCES = (0, ADMIN, LIVE_STREAM)
MAX_PERIOD = 180 * DAY
MAX_WINDOW = 30 * DAY
GUARD = {
    ADMIN: (
        "discount.error_update_admin_discount",
        "The discount created by admin can't be edited",
    ),
    LIVE_STREAM: (
        "discount.error_update_streaming_discount",
        "The discount created by livestreaming can't be edited",
    ),
}
# Section 10.1: Shopee's key/message pairs look swapped. "shopee" (the default) answers them as
# Shopee's data binds them (its delete example included); "by_meaning" keeps the keys and gives
# each the message that fits the refusal. POST /_sandbox/settings {"discount_messages": ...}.
END_DELETE = {
    "shopee": {
        "end_not_ongoing": (
            "discount.discount_not_ongoing",
            "The ongoing discount cannot be deleted.",
        ),
        "delete_ongoing": (
            "discount.discount_is_ongoing",
            "Only the ongoing discount can be ended.",
        ),
    },
    "by_meaning": {
        "end_not_ongoing": (
            "discount.discount_not_ongoing",
            "Only the ongoing discount can be ended.",
        ),
        "delete_ongoing": (
            "discount.discount_is_ongoing",
            "The ongoing discount cannot be deleted.",
        ),
    },
}
MESSAGE_CHOICES = tuple(END_DELETE)
END_TOO_EARLY = (
    "discount.end_discount_time_error",
    "Only can end the discount after 1 hour of start time.",
)
IS_END = ("discount.discount_is_end", "The end discount cannot be updated or deleted.")
UPDATE_ERRORS = {
    "start_ongoing": (
        "discount.update_ongoing_discount_start_time",
        "The start time can\u2018t be changed when discount is in ongoing status.",
    ),
    "start_earlier": (
        "discount.short_discount_start_time",
        "Promotion start time can only be changed to a later timing.",
    ),
    "end_later": (
        "discount.extend_discount_end_time_error",
        "Promotion end time can only be changed to an earlier timing.",
    ),
    "end_past": (
        "discount.discount_end_time_smaller_than_now",
        "Discount end time should later than the current time.",
    ),
    "too_short": (
        "discount.discount_period_too_short",
        "The end time should be later than 1 hour of start time.",
    ),
    "too_long": (
        "discount.discount_period_too_long",
        "Promotion duration must be within 180 days.",
    ),
    "ongoing_too_long": (
        "discount.ongoing_discount_period_too_long",
        "Promotion period must be less than 180 days, please end it within 30 days",
    ),
}


def _defaults(discount_id: int, now: int) -> dict[str, Any]:
    return {
        "discount_name": f"Discount {discount_id}",
        "start_time": now - HOUR,
        "end_time": now + 7 * DAY,
        "source": 0,
        "item_list": [],
    }


def _check(record: dict[str, Any], where: str) -> None:
    base.one_of(record, "source", SOURCES, where)
    if not isinstance(record["discount_name"], str) or not isinstance(record["item_list"], list):
        raise DocumentError(f"{where}: discount_name must be a string and item_list a list")


def _list_item(record: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "status": base.time_status(record, now),
        "discount_name": record["discount_name"],
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "discount_id": record["discount_id"],
        "source": record["source"],
    }


def _guard(record: dict[str, Any]) -> None:
    if record["source"] in GUARD:
        raise KIND.error(*GUARD[record["source"]])


def _changed(record: dict[str, Any], now: int) -> wire.Answer:
    record["update_time"] = now
    return base.ok({"discount_id": record["discount_id"], "modify_time": now})


def get_discount_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    wanted = base.status_filter(query, "discount_status", KIND)
    page_no = base.query_int(query, "page_no", KIND, low=1)
    page_size = base.query_int(query, "page_size", KIND, low=1, high=100)
    since = base.query_int(query, "update_time_from", KIND, default=None, low=0)
    until = base.query_int(query, "update_time_to", KIND, default=None, low=0)
    if since is not None and until is not None and not 0 <= until - since <= MAX_WINDOW:
        raise KIND.param_error("update_time_to must be 0 to 30 days after update_time_from")
    now = state.now()
    records = [
        r
        for r in base.listed(state, KIND, caller.shop_id, wanted)
        if (since is None or r["update_time"] >= since)
        and (until is None or r["update_time"] <= until)
    ]
    shown, more = base.page(records, page_no, page_size)
    return base.ok({"discount_list": [_list_item(r, now) for r in shown], "more": more})


def get_discount(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    discount_id = base.query_int(query, "discount_id", KIND, low=0)
    page_no = base.query_int(query, "page_no", KIND, low=1)
    page_size = base.query_int(query, "page_size", KIND, low=1, high=100)
    record = base.find(state, KIND, caller.shop_id, discount_id)
    items, more = base.page(record["item_list"], page_no, page_size)
    return base.ok(
        {
            "status": base.time_status(record, state.now()),
            "discount_name": record["discount_name"],
            "item_list": items,
            "start_time": record["start_time"],
            "discount_id": discount_id,
            "end_time": record["end_time"],
            "more": more,
        }
    )


def end_discount(state: SandboxState, req: wire.Request) -> wire.Answer:
    _, _, record = base.target(state, req, KIND, _guard)
    now = state.now()
    if base.time_status(record, now) != ONGOING:
        raise KIND.error(*END_DELETE[state.discount_messages]["end_not_ongoing"])
    if now < record["start_time"] + HOUR:
        raise KIND.error(*END_TOO_EARLY)
    record["end_time"] = now
    return _changed(record, now)


def delete_discount(state: SandboxState, req: wire.Request) -> wire.Answer:
    shop_id, _, record = base.target(state, req, KIND, _guard)
    now = state.now()
    status = base.time_status(record, now)
    if status == EXPIRED:
        raise KIND.error(*IS_END)
    if status == ONGOING:
        raise KIND.error(*END_DELETE[state.discount_messages]["delete_ongoing"])
    del base.shop_records(state, KIND, shop_id)[record["discount_id"]]
    return base.ok({"discount_id": record["discount_id"], "modify_time": now})


def update_discount(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    payload = base.body(req, KIND)
    discount_id = base.body_int(payload, "discount_id", KIND)
    name = base.body_text(payload, "discount_name", KIND)
    start = base.body_int(payload, "start_time", KIND, default=None)
    end = base.body_int(payload, "end_time", KIND, default=None)
    record = base.find(state, KIND, caller.shop_id, discount_id)
    _guard(record)
    now = state.now()
    status = base.time_status(record, now)
    if status == EXPIRED:
        raise KIND.error(*IS_END)
    if start is not None and status == ONGOING:
        raise KIND.error(*UPDATE_ERRORS["start_ongoing"])
    if start is not None and start < record["start_time"]:
        raise KIND.error(*UPDATE_ERRORS["start_earlier"])
    if end is not None and end > record["end_time"]:
        raise KIND.error(*UPDATE_ERRORS["end_later"])
    if end is not None and end <= now:
        raise KIND.error(*UPDATE_ERRORS["end_past"])
    new_start = record["start_time"] if start is None else start
    new_end = record["end_time"] if end is None else end
    if new_end - new_start < HOUR:
        raise KIND.error(*UPDATE_ERRORS["too_short"])
    if new_end - new_start >= MAX_PERIOD:
        raise KIND.error(*UPDATE_ERRORS["ongoing_too_long" if status == ONGOING else "too_long"])
    record.update({"start_time": new_start, "end_time": new_end})
    if name is not None:
        record["discount_name"] = name
    return _changed(record, now)


KIND = Kind(
    name="discount",
    id_field="discount_id",
    error_response={},
    param_code="error_param",
    param_template="Wrong parameters, detail: {}.",
    not_found=("common.error_not_found", wire.NOT_FOUND),
    defaults=_defaults,
    check=_check,
    calls={
        "get_discount_list": ("GET", get_discount_list, False),
        "get_discount": ("GET", get_discount, False),
        "end_discount": ("POST", end_discount, True),
        "delete_discount": ("POST", delete_discount, True),
        "update_discount": ("POST", update_discount, True),
    },
    push_type="seller_discount",
    seller_end=base.end_now,
    seller_delete=base.remove,
)
