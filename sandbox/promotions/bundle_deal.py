"""Bundle deal (module ``bundle_deal``, shopee-promotions.md section 3).

Record: ``bundle_deal_id``, ``name``, ``start_time``, ``end_time``, ``bundle_deal_rule``
(``rule_type`` 1 fix price / 2 percentage / 3 value, ``discount_value``, ``fix_price``,
``discount_percentage``, ``min_amount``, ``additional_tiers`` [up to 2]), ``purchase_limit``, and
the sandbox-only ``shopee_created``: **no field Shopee answers says a bundle deal is Shopee's**;
a client learns it only from the refusal ``bundle.bundle_deal_no_auth_update``.

* ``GET get_bundle_deal_list?time_status&page_no&page_size``: all optional; ``time_status`` is
  an **integer**, 1 all (default), 2 upcoming, 3 ongoing, 4 expired; ``page_no`` >= 1 (default
  1), ``page_size`` 1-1000 (default 20). Items ``{bundle_deal_id, name, start_time, end_time,
  bundle_deal_rule, purchase_limit}`` (``additional_tiers`` an array), ``more``. No status field.
* ``GET get_bundle_deal?bundle_deal_id``: the same fields, but ``additional_tiers`` is a single
  object (the first additional tier, ``{}`` when none), as Shopee's page and sample show.
* ``POST end_bundle_deal {bundle_deal_id}``: ongoing only (``bundle.bundle_deal_stop_failed``);
  ``end_time`` becomes now. ``delete_bundle_deal``: upcoming only
  (``bundle.bundle_deal_delete_failed``); removes it. Both answer ``{bundle_deal_id}``.
* ``POST update_bundle_deal {bundle_deal_id, name?, start_time?, end_time?, purchase_limit?,
  rule_type?, discount_value?, fix_price?, discount_percentage?, min_amount?}``: answers the
  whole deal as the list shows it. Expired -> ``bundle.bundle_expired``; while ongoing the rule
  is locked (``bundle.bundle_deal_ongoing_promotion_info_lock``, ``min_amount``:
  ``..._info_lock_min_amount``) and the start too (``bundle.bundle_deal_start_time_error``);
  start only later and after now; end only earlier (``bundle.bundle_deal_end_time_error``) and
  after now (ours: ``error_param``); at least 1 hour long (``bundle.bundle_deal_min_span_within``);
  name 1-25 characters (``bundle.bundle_deal_name_length``).

Order: parameters (``error_param`` "Wrong parameters, detail: ..."), unknown
(``bundle.bundle_deal_not_exists``), Shopee-created, then status rules. Errors carry
``"response": {}``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sandbox import wire
from sandbox.common import authenticate_shop
from sandbox.fields import DocumentError
from sandbox.promotions import base
from sandbox.promotions.base import DAY, EXPIRED, HOUR, ONGOING, UPCOMING, Kind

if TYPE_CHECKING:
    from sandbox.state import SandboxState

TIME_STATUS = {1: "all", 2: UPCOMING, 3: ONGOING, 4: EXPIRED}
NO_AUTH = ("bundle.bundle_deal_no_auth_update", "The shopee created bundle deal can't be edited")
STOP_FAILED = ("bundle.bundle_deal_stop_failed", "Only the ongoing bundle deal can be ended")
DELETE_FAILED = ("bundle.bundle_deal_delete_failed", "Only the upcoming bundle deal can be deleted")
EXPIRED_ERROR = ("bundle.bundle_expired", "bundle deal expired can not update")
INFO_LOCK = (
    "bundle.bundle_deal_ongoing_promotion_info_lock",
    "Cannot change rule_type, fix_price, discount_percentage, discount_value or tiers number if "
    "Bundle deal is ongoing.",
)
MIN_AMOUNT_LOCK = (
    "bundle.bundle_deal_ongoing_promotion_info_lock_min_amount",
    "Cannot change min_amount if Bundle deal is ongoing and has enabled items",
)
START_ONGOING = (
    "bundle.bundle_deal_start_time_error",
    "The start_time of ongoing promotion can't be updated",
)
START_EARLIER = (
    "bundle.bundle_deal_start_time_error",
    "Promotion start time can only be changed to a later timing.",
)
START_PAST = (
    "bundle.bundle_deal_start_time_error",
    "The start time should be later than current time",
)
END_LATER = (
    "bundle.bundle_deal_end_time_error",
    "Promotion end time can only be changed to an earlier timing.",
)
MIN_SPAN = (
    "bundle.bundle_deal_min_span_within",
    "The promotion period must be greater than 1 hour",
)
NAME_LENGTH = (
    "bundle.bundle_deal_name_length",
    "Name length can't be less than 1 or greater than 25",
)
RULE_TYPE = ("bundle.bundle_deal_rule_type_value", "Please use correct bundle deal rule type")
RULE_FIELDS = ("rule_type", "discount_value", "fix_price", "discount_percentage")


def _defaults(bundle_deal_id: int, now: int) -> dict[str, Any]:
    return {
        "name": f"Bundle {bundle_deal_id}",
        "start_time": now - HOUR,
        "end_time": now + 7 * DAY,
        "bundle_deal_rule": {
            "rule_type": 2,
            "discount_value": 0.0,
            "fix_price": 0.0,
            "discount_percentage": 10,
            "min_amount": 2,
            "additional_tiers": [],
        },
        "purchase_limit": 1,
    }


def _check(record: dict[str, Any], where: str) -> None:
    rule = record["bundle_deal_rule"]
    if not isinstance(rule, dict) or not isinstance(rule.get("additional_tiers", []), list):
        raise DocumentError(f"{where}: bundle_deal_rule must be an object, additional_tiers a list")
    base.one_of(rule, "rule_type", (1, 2, 3), f"{where}: bundle_deal_rule")


def _guard(record: dict[str, Any]) -> None:
    if record["shopee_created"]:
        raise KIND.error(*NO_AUTH)


def _shown(record: dict[str, Any], *, tiers_as_object: bool = False) -> dict[str, Any]:
    rule = copy.deepcopy(record["bundle_deal_rule"])
    tiers = rule.get("additional_tiers", [])
    rule["additional_tiers"] = (tiers[0] if tiers else {}) if tiers_as_object else tiers
    return {
        "bundle_deal_id": record["bundle_deal_id"],
        "name": record["name"],
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "bundle_deal_rule": rule,
        "purchase_limit": record["purchase_limit"],
    }


def get_bundle_deal_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    wanted = base.query_int(query, "time_status", KIND, default=1, low=1, high=4)
    page_no = base.query_int(query, "page_no", KIND, default=1, low=1)
    page_size = base.query_int(query, "page_size", KIND, default=20, low=1, high=1000)
    records = base.listed(state, KIND, caller.shop_id, TIME_STATUS[wanted])
    shown, more = base.page(records, page_no, page_size)
    return base.ok({"bundle_deal_list": [_shown(r) for r in shown], "more": more})


def get_bundle_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    bundle_deal_id = base.query_int(req.query, "bundle_deal_id", KIND, low=0)
    record = base.find(state, KIND, caller.shop_id, bundle_deal_id)
    return base.ok(_shown(record, tiers_as_object=True))


def end_bundle_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    _, _, record = base.target(state, req, KIND, _guard)
    now = state.now()
    if base.time_status(record, now) != ONGOING:
        raise KIND.error(*STOP_FAILED)
    record["end_time"] = record["update_time"] = now
    return base.ok({"bundle_deal_id": record["bundle_deal_id"]})


def delete_bundle_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    shop_id, _, record = base.target(state, req, KIND, _guard)
    if base.time_status(record, state.now()) != UPCOMING:
        raise KIND.error(*DELETE_FAILED)
    del base.shop_records(state, KIND, shop_id)[record["bundle_deal_id"]]
    return base.ok({"bundle_deal_id": record["bundle_deal_id"]})


def _changes(payload: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("start_time", "end_time", "purchase_limit", "rule_type", "discount_percentage"):
        changes[name] = base.body_int(payload, name, KIND, default=None)
    for name in ("discount_value", "fix_price"):
        changes[name] = base.body_number(payload, name, KIND)
    changes["min_amount"] = base.body_int(payload, "min_amount", KIND, default=None)
    changes["name"] = base.body_text(payload, "name", KIND)
    return {name: value for name, value in changes.items() if value is not None}


def _check_update(record: dict[str, Any], changes: dict[str, Any], now: int) -> None:
    rule = record["bundle_deal_rule"]
    status = base.time_status(record, now)
    if status == EXPIRED:
        raise KIND.error(*EXPIRED_ERROR)
    if status == ONGOING and any(
        name in changes and changes[name] != rule.get(name) for name in RULE_FIELDS
    ):
        raise KIND.error(*INFO_LOCK)
    if status == ONGOING and changes.get("min_amount", rule.get("min_amount")) != rule.get(
        "min_amount"
    ):
        raise KIND.error(*MIN_AMOUNT_LOCK)
    if changes.get("rule_type", rule.get("rule_type")) not in (1, 2, 3):
        raise KIND.error(*RULE_TYPE)
    start = changes.get("start_time")
    if start is not None and status == ONGOING:
        raise KIND.error(*START_ONGOING)
    if start is not None and start < record["start_time"]:
        raise KIND.error(*START_EARLIER)
    if start is not None and start <= now:
        raise KIND.error(*START_PAST)
    end = changes.get("end_time")
    if end is not None and end > record["end_time"]:
        raise KIND.error(*END_LATER)
    if end is not None and end <= now:
        raise KIND.param_error("end_time must be later than the current time")
    if (
        changes.get("end_time", record["end_time"])
        - changes.get("start_time", record["start_time"])
        < HOUR
    ):
        raise KIND.error(*MIN_SPAN)
    if "name" in changes and not 1 <= len(changes["name"]) <= 25:
        raise KIND.error(*NAME_LENGTH)


def update_bundle_deal(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    payload = base.body(req, KIND)
    bundle_deal_id = base.body_int(payload, "bundle_deal_id", KIND)
    changes = _changes(payload)
    record = base.find(state, KIND, caller.shop_id, bundle_deal_id)
    _guard(record)
    now = state.now()
    _check_update(record, changes, now)
    for name in ("name", "start_time", "end_time", "purchase_limit"):
        if name in changes:
            record[name] = changes[name]
    for name in (*RULE_FIELDS, "min_amount"):
        if name in changes:
            record["bundle_deal_rule"][name] = changes[name]
    record["update_time"] = now
    return base.ok(_shown(record))


KIND = Kind(
    name="bundle_deal",
    id_field="bundle_deal_id",
    error_response={},
    param_code="error_param",
    param_template="Wrong parameters, detail: {}.",
    not_found=("bundle.bundle_deal_not_exists", "Bundle deal doesn't existed"),
    defaults=_defaults,
    check=_check,
    calls={
        "get_bundle_deal_list": ("GET", get_bundle_deal_list, False),
        "get_bundle_deal": ("GET", get_bundle_deal, False),
        "end_bundle_deal": ("POST", end_bundle_deal, True),
        "delete_bundle_deal": ("POST", delete_bundle_deal, True),
        "update_bundle_deal": ("POST", update_bundle_deal, True),
    },
    push_type="bundle_deal",
    seller_end=base.end_now,
    seller_delete=base.remove,
)
