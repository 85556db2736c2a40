"""Add-on deal (module ``add_on_deal``, shopee-promotions.md section 4).

Record: ``add_on_deal_id``, ``add_on_deal_name``, ``start_time``, ``end_time``,
``promotion_type`` (0 add-on discount, 1 gift with min. spend), ``purchase_min_spend``,
``per_gift_num``, ``promotion_purchase_limit``, ``source`` (**1 seller, 0 Shopee admin**: the
opposite of discount's), ``sub_item_priority``. No status field: derive it from the times.

* ``GET get_add_on_deal_list?promotion_status&page_no&page_size``: ``promotion_status``
  required (all/upcoming/ongoing/expired, else ``add_on.add_on_status_error``); ``page_no``
  1-1000 (default 1, else ``add_on.add_on_page_no_error``), ``page_size`` 1-100 (default
  **100**, else ``add_on.add_on_page_size_error``). Items as Shopee's sample shows them:
  ``sub_item_priority`` (the field list's ``sub_item_prioriry`` is a typo) and
  ``purchase_min_spend`` as a **string** ("3.0"); ``more``.
* ``GET get_add_on_deal?add_on_deal_id``: the same fields, ``purchase_min_spend`` a number.
* ``POST end_add_on_deal {add_on_deal_id}``: ongoing only (``add_on.add_on_end_error``);
  ``end_time`` becomes now. ``delete_add_on_deal``: upcoming only (``add_on.add_on_delete_error``);
  removes it. Both answer ``{add_on_deal_id}``.
* ``POST update_add_on_deal {add_on_deal_id, add_on_deal_name?, start_time?, end_time?,
  purchase_min_spend?, per_gift_num?, promotion_purchase_limit?, sub_item_priority?}``: answers
  the deal as get shows it. Expired -> ``add_on.add_on_deal_expired``; ongoing: the start and the
  promotion settings (min spend, gift number, purchase limit) are locked
  (``add_on.add_on_update_error`` "The start_time of ongoing add on deal can't be edited": which
  fields Shopee locks is not documented, this is our choice); start only later, end only earlier
  (``add_on.add_on_edit_error``) and after now (ours: ``error_param``); at least 1 hour
  (``add_on.add_on_deal_end_time_error``), at most 6 months (180 days) when made longer
  (``add_on.add_on_deal_time_error``); name at most 25 (``add_on.add_on_deal_name_invalid``).

Shopee-admin deals (``source`` 0) are refused by end, delete and update with
``add_on.add_on_deal_error_unknown`` "The add on deal created by admin can't be edited" (Shopee's
key). Order: parameters, unknown (``add_on.add_on_deal_not_exists``), admin, status rules.
Errors carry ``"response": {}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import wire
from sandbox.common import authenticate_shop
from sandbox.fields import DocumentError
from sandbox.promotions import base
from sandbox.promotions.base import DAY, EXPIRED, HOUR, ONGOING, UPCOMING, Kind

if TYPE_CHECKING:
    from sandbox.state import SandboxState

ADMIN, SELLER = 0, 1
MAX_PERIOD = 180 * DAY  # "6 months"
STATUS_ERROR = (
    "add_on.add_on_status_error",
    "Please input correct promotion status: all, ongoing, upcoming, expired",
)
PAGE_NO_ERROR = ("add_on.add_on_page_no_error", "Please input page number between 1-1000")
PAGE_SIZE_ERROR = ("add_on.add_on_page_size_error", "Please input page type between 1-100")
ADMIN_ERROR = (
    "add_on.add_on_deal_error_unknown",
    "The add on deal created by admin can't be edited",
)
END_ERROR = ("add_on.add_on_end_error", "Only the ongoing promotion can be ended")
DELETE_ERROR = ("add_on.add_on_delete_error", "Only upcoming add on deal can be deleted")
EXPIRED_ERROR = ("add_on.add_on_deal_expired", "The expired add on deal can't be edited")
START_EARLIER = (
    "add_on.add_on_edit_error",
    "The start time of upcoming add on deal can't be shorted",
)
END_LATER = (
    "add_on.add_on_edit_error",
    "Promotion end time can only be changed to an earlier timing.",
)
TOO_SHORT = (
    "add_on.add_on_deal_end_time_error",
    "The end time should be 1 hour later than start time",
)
TOO_LONG = ("add_on.add_on_deal_time_error", "The promotion period can't exceed 6 months")
NAME_ERROR = (
    "add_on.add_on_deal_name_invalid",
    "The name of add on deal can't exceed 25 characters",
)
LOCKED_WHEN_ONGOING = (
    "start_time",
    "purchase_min_spend",
    "per_gift_num",
    "promotion_purchase_limit",
)


def _defaults(add_on_deal_id: int, now: int) -> dict[str, Any]:
    return {
        "add_on_deal_name": f"Add-on {add_on_deal_id}",
        "start_time": now - HOUR,
        "end_time": now + 7 * DAY,
        "promotion_type": 0,
        "purchase_min_spend": 0.0,
        "per_gift_num": 0,
        "promotion_purchase_limit": 1,
        "source": SELLER,
        "sub_item_priority": [],
    }


def _check(record: dict[str, Any], where: str) -> None:
    base.one_of(record, "source", (ADMIN, SELLER), where)
    base.one_of(record, "promotion_type", (0, 1), where)
    if not isinstance(record["add_on_deal_name"], str):
        raise DocumentError(f"{where}: add_on_deal_name must be a string")
    spend = record["purchase_min_spend"]
    if isinstance(spend, bool) or not isinstance(spend, int | float) or not spend >= 0:
        raise DocumentError(f"{where}: purchase_min_spend must be a number >= 0, got {spend!r}")


def _guard(record: dict[str, Any]) -> None:
    if record["source"] == ADMIN:
        raise KIND.error(*ADMIN_ERROR)


def _detail(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "promotion_type": record["promotion_type"],
        "purchase_min_spend": record["purchase_min_spend"],
        "add_on_deal_id": record["add_on_deal_id"],
        "per_gift_num": record["per_gift_num"],
        "sub_item_priority": record["sub_item_priority"],
        "promotion_purchase_limit": record["promotion_purchase_limit"],
        "add_on_deal_name": record["add_on_deal_name"],
        "source": record["source"],
    }


def _list_item(record: dict[str, Any]) -> dict[str, Any]:
    return _detail(record) | {"purchase_min_spend": str(float(record["purchase_min_spend"]))}


def get_add_on_deal_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    wanted = base.status_filter(query, "promotion_status", KIND, error=KIND.error(*STATUS_ERROR))
    page_no = base.query_int(
        query, "page_no", KIND, default=1, low=1, high=1000, error=KIND.error(*PAGE_NO_ERROR)
    )
    page_size = base.query_int(
        query, "page_size", KIND, default=100, low=1, high=100, error=KIND.error(*PAGE_SIZE_ERROR)
    )
    records = base.listed(state, KIND, caller.shop_id, wanted)
    shown, more = base.page(records, page_no, page_size)
    return base.ok({"add_on_deal_list": [_list_item(r) for r in shown], "more": more})


def get_add_on_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    add_on_deal_id = base.query_int(req.query, "add_on_deal_id", KIND, low=0)
    return base.ok(_detail(base.find(state, KIND, caller.shop_id, add_on_deal_id)))


def end_add_on_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    _, _, record = base.target(state, req, KIND, _guard)
    now = state.now()
    if base.time_status(record, now) != ONGOING:
        raise KIND.error(*END_ERROR)
    record["end_time"] = record["update_time"] = now
    return base.ok({"add_on_deal_id": record["add_on_deal_id"]})


def delete_add_on_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    shop_id, _, record = base.target(state, req, KIND, _guard)
    if base.time_status(record, state.now()) != UPCOMING:
        raise KIND.error(*DELETE_ERROR)
    del base.shop_records(state, KIND, shop_id)[record["add_on_deal_id"]]
    return base.ok({"add_on_deal_id": record["add_on_deal_id"]})


def _changes(payload: dict[str, Any]) -> dict[str, Any]:
    changes = {
        "add_on_deal_name": base.body_text(payload, "add_on_deal_name", KIND),
        "start_time": base.body_int(payload, "start_time", KIND, default=None),
        "end_time": base.body_int(payload, "end_time", KIND, default=None),
        "purchase_min_spend": base.body_number(payload, "purchase_min_spend", KIND),
        "per_gift_num": base.body_int(payload, "per_gift_num", KIND, default=None),
        "promotion_purchase_limit": base.body_int(
            payload, "promotion_purchase_limit", KIND, default=None
        ),
    }
    priority = payload.get("sub_item_priority")
    if priority is not None:
        if not isinstance(priority, list) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in priority
        ):
            raise KIND.error("add_on.add_on_edit_error", "Please input correct priority")
        changes["sub_item_priority"] = priority
    return {name: value for name, value in changes.items() if value is not None}


def _check_update(record: dict[str, Any], changes: dict[str, Any], now: int) -> None:
    status = base.time_status(record, now)
    if status == EXPIRED:
        raise KIND.error(*EXPIRED_ERROR)
    locked = [name for name in LOCKED_WHEN_ONGOING if name in changes]
    if status == ONGOING and locked:
        message = f"The {locked[0]} of ongoing add on deal can't be edited"
        raise KIND.error("add_on.add_on_update_error", message)
    start, end = changes.get("start_time"), changes.get("end_time")
    if start is not None and start < record["start_time"]:
        raise KIND.error(*START_EARLIER)
    if end is not None and end > record["end_time"]:
        raise KIND.error(*END_LATER)
    if end is not None and end <= now:
        raise KIND.param_error("end_time must be later than the current time")
    period = changes.get("end_time", record["end_time"]) - changes.get(
        "start_time", record["start_time"]
    )
    if period < HOUR:
        raise KIND.error(*TOO_SHORT)
    if period > MAX_PERIOD and period > record["end_time"] - record["start_time"]:
        raise KIND.error(*TOO_LONG)
    if len(changes.get("add_on_deal_name", "x")) > 25 or changes.get("add_on_deal_name") == "":
        raise KIND.error(*NAME_ERROR)


def update_add_on_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    payload = base.body(req, KIND)
    add_on_deal_id = base.body_int(payload, "add_on_deal_id", KIND)
    changes = _changes(payload)
    record = base.find(state, KIND, caller.shop_id, add_on_deal_id)
    _guard(record)
    now = state.now()
    _check_update(record, changes, now)
    record.update(changes)
    record["update_time"] = now
    return base.ok(_detail(record))


KIND = Kind(
    name="add_on_deal",
    id_field="add_on_deal_id",
    error_response={},
    param_code="error_param",
    param_template="Wrong parameters, detail: {}.",
    not_found=("add_on.add_on_deal_not_exists", "The add on deal not existed"),
    defaults=_defaults,
    check=_check,
    calls={
        "get_add_on_deal_list": ("GET", get_add_on_deal_list, False),
        "get_add_on_deal": ("GET", get_add_on_deal, False),
        "end_add_on_deal": ("POST", end_add_on_deal, True),
        "delete_add_on_deal": ("POST", delete_add_on_deal, True),
        "update_add_on_deal": ("POST", update_add_on_deal, True),
    },
    push_type="add_on_deal_main",
    seller_end=base.end_now,
    seller_delete=base.remove,
)
