"""Shop flash sale (module ``shop_flash_sale``, shopee-promotions.md section 6).

Record: ``flash_sale_id``, ``timeslot_id`` (default: the slot's ``start_time``), ``start_time``,
``end_time`` (the timeslot's; default a one-hour slot that started 30 minutes ago), ``status``
(**0 deleted, 1 enabled, 2 disabled, 3 system_rejected**: the admin state, stored),
``item_count``, ``enabled_item_count``, ``remindme_count``, ``click_count``. ``type`` is the time
state, derived: 1 upcoming, 2 ongoing, 3 expired.

* ``GET get_shop_flash_sale_list?type&offset&limit[&start_time&end_time]``: ``type`` required,
  an **integer** 0 all, 1 upcoming, 2 ongoing, 3 expired; ``offset`` required 0-1000, ``limit``
  required 1-100; ``start_time`` and ``end_time`` only together, start < end, keep the sales
  overlapping that window (ours: Shopee does not say how it filters). Answers
  ``{"total_count", "flash_sale_list"}`` **inside** ``response`` (Shopee's sample; the schema
  puts the list at the top level, section 10.2); ``total_count`` counts every match, there is no
  ``more``. Items ``{timeslot_id, flash_sale_id, status, start_time, end_time,
  enabled_item_count, item_count, type, remindme_count, click_count}``, by ``flash_sale_id``.
  **Deleted sales stay listed with status 0** (the status enum has "deleted"): a client must not
  take a listed sale for a live one.
* ``GET get_shop_flash_sale?flash_sale_id``: the list fields without the two counters; status 3
  too (Shopee's sample returns it although the page documents 0-2).
* **No end call.** ``POST update_shop_flash_sale {flash_sale_id, status}``: ``status`` 1 enable
  or 2 disable (disabling an upcoming or ongoing sale is allowed, and disables every item:
  ``enabled_item_count`` 0); an expired sale cannot be edited (ours: Shopee's "expired promotions
  can't be edited").
* ``POST delete_shop_flash_sale {flash_sale_id}``: not ongoing and not expired; the sale's status
  becomes 0.
* Both writes answer ``{timeslot_id, flash_sale_id, status}``.

Refusals, first failure wins: parameters, then unknown or deleted (``shop_flash_sale_not_exist``
"shop flash sale not exist"), then ``status`` 3 system_rejected (the flash sale's "Shopee-created"
case: the control API sets it with ``status: 3``, not ``shopee_created``; Shopee: "you cannot edit
the shop flash sale in 'system_rejected' status"; refused for update and delete alike), then the
time rules. Rule refusals are ``shop_flash_sale_param_error`` "The Wrong parameters, detail:
<ours>." (Shopee lists no other code for them). Errors carry ``"response": {}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import wire
from sandbox.common import authenticate_shop
from sandbox.fields import DocumentError
from sandbox.promotions import base
from sandbox.promotions.base import EXPIRED, HOUR, ONGOING, UPCOMING, Kind

if TYPE_CHECKING:
    from sandbox.state import SandboxState

DELETED, ENABLED, DISABLED, SYSTEM_REJECTED = 0, 1, 2, 3
TYPES = {UPCOMING: 1, ONGOING: 2, EXPIRED: 3}
TYPE_FILTER = {0: "all", 1: UPCOMING, 2: ONGOING, 3: EXPIRED}
REJECTED = "cannot edit the shop flash sale in 'system_rejected' status"
EXPIRED_EDIT = "cannot edit an expired shop flash sale"
CANNOT_DELETE = "cannot delete ongoing and expired shop flash sale"


def _defaults(flash_sale_id: int, now: int) -> dict[str, Any]:
    start = now - HOUR // 2
    return {
        "start_time": start,
        "end_time": start + HOUR,
        "status": ENABLED,
        "item_count": 0,
        "enabled_item_count": 0,
        "remindme_count": 0,
        "click_count": 0,
    }


def _check(record: dict[str, Any], where: str) -> None:
    record.setdefault("timeslot_id", record["start_time"])
    base.one_of(record, "status", (DELETED, ENABLED, DISABLED, SYSTEM_REJECTED), where)
    if record["shopee_created"]:
        raise DocumentError(
            f"{where}: a flash sale Shopee will not let the seller edit is status 3 "
            "(system_rejected); shopee_created must be false"
        )


def _type(record: dict[str, Any], now: int) -> int:
    return TYPES[base.time_status(record, now)]


def _detail(record: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "timeslot_id": record["timeslot_id"],
        "flash_sale_id": record["flash_sale_id"],
        "status": record["status"],
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "enabled_item_count": record["enabled_item_count"],
        "item_count": record["item_count"],
        "type": _type(record, now),
    }


def _list_item(record: dict[str, Any], now: int) -> dict[str, Any]:
    return _detail(record, now) | {
        "remindme_count": record["remindme_count"],
        "click_count": record["click_count"],
    }


def _written(record: dict[str, Any]) -> wire.Answer:
    return base.ok(
        {
            "timeslot_id": record["timeslot_id"],
            "flash_sale_id": record["flash_sale_id"],
            "status": record["status"],
        }
    )


def _live(state: SandboxState, shop_id: int, flash_sale_id: int) -> dict[str, Any]:
    """A sale that can be written to: known, not deleted, not system_rejected."""
    record = base.find(state, KIND, shop_id, flash_sale_id)
    if record["status"] == DELETED:
        raise KIND.error(*KIND.not_found)
    if record["status"] == SYSTEM_REJECTED:
        raise KIND.param_error(REJECTED)
    return record


def get_shop_flash_sale_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    wanted = base.query_int(query, "type", KIND, low=0, high=3)
    offset = base.query_int(query, "offset", KIND, low=0, high=1000)
    limit = base.query_int(query, "limit", KIND, low=1, high=100)
    since = base.query_int(query, "start_time", KIND, default=None, low=0)
    until = base.query_int(query, "end_time", KIND, default=None, low=0)
    if (since is None) != (until is None):
        raise KIND.param_error("start_time and end_time must be used together")
    if since is not None and since >= until:
        raise KIND.param_error("start_time should be < end_time")
    now = state.now()
    records = [
        r
        for r in base.listed(state, KIND, caller.shop_id, TYPE_FILTER[wanted])
        if since is None or (r["start_time"] < until and r["end_time"] > since)
    ]
    shown = records[offset : offset + limit]
    return base.ok(
        {"total_count": len(records), "flash_sale_list": [_list_item(r, now) for r in shown]}
    )


def get_shop_flash_sale(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    flash_sale_id = base.query_int(req.query, "flash_sale_id", KIND, low=0)
    return base.ok(_detail(base.find(state, KIND, caller.shop_id, flash_sale_id), state.now()))


def update_shop_flash_sale(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    payload = base.body(req, KIND)
    flash_sale_id = base.body_int(payload, "flash_sale_id", KIND)
    status = base.body_int(payload, "status", KIND)
    if status not in (ENABLED, DISABLED):
        raise KIND.param_error(f"status must be 1 (enable) or 2 (disable), got {status}")
    record = _live(state, caller.shop_id, flash_sale_id)
    now = state.now()
    if base.time_status(record, now) == EXPIRED:
        raise KIND.param_error(EXPIRED_EDIT)
    record["status"] = status
    if status == DISABLED:
        record["enabled_item_count"] = 0
    record["update_time"] = now
    return _written(record)


def delete_shop_flash_sale(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    flash_sale_id = base.body_int(base.body(req, KIND), "flash_sale_id", KIND)
    record = _live(state, caller.shop_id, flash_sale_id)
    now = state.now()
    if base.time_status(record, now) != UPCOMING:
        raise KIND.param_error(CANNOT_DELETE)
    _mark_deleted(record, now)
    return _written(record)


def _mark_deleted(record: dict[str, Any], now: int) -> None:
    record.update(status=DELETED, enabled_item_count=0, update_time=now)


def _seller_end(record: dict[str, Any], now: int) -> None:
    """Seller Centre has no "end" for a flash sale either: it switches the sale off."""
    record.update(status=DISABLED, enabled_item_count=0, update_time=now)


def _seller_delete(records: dict[int, dict[str, Any]], flash_sale_id: int, now: int) -> None:
    _mark_deleted(records[flash_sale_id], now)


KIND = Kind(
    name="shop_flash_sale",
    id_field="flash_sale_id",
    error_response={},
    param_code="shop_flash_sale_param_error",
    param_template="The Wrong parameters, detail: {}.",
    not_found=("shop_flash_sale_not_exist", "shop flash sale not exist"),
    defaults=_defaults,
    check=_check,
    calls={
        "get_shop_flash_sale_list": ("GET", get_shop_flash_sale_list, False),
        "get_shop_flash_sale": ("GET", get_shop_flash_sale, False),
        "update_shop_flash_sale": ("POST", update_shop_flash_sale, True),
        "delete_shop_flash_sale": ("POST", delete_shop_flash_sale, True),
    },
    push_type="flash_sale",
    seller_end=_seller_end,
    seller_delete=_seller_delete,
)
