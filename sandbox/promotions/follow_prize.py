"""Follow prize (module ``follow_prize``, shopee-promotions.md section 5).

Record: ``campaign_id``, ``follow_prize_name``, ``start_time``, ``end_time``,
``usage_quantity``, ``claimed``, ``min_spend``, ``reward_type`` (1 fixed amount, 2 percentage,
3 coin cashback), ``discount_amount``, ``percentage``, ``max_price``.

* ``GET get_follow_prize_list?status&page_no&page_size``: ``status`` required
  (upcoming/ongoing/expired/all); ``page_no`` 1-5000 (default 1), ``page_size`` 1-100 (default
  20). Items ``{campaign_id, campaign_status, follow_prize_name, start_time, end_time,
  usage_quantity, claimed}``, ``more``.
* ``GET get_follow_prize_detail?campaign_id``: ``{campaign_status, campaign_id,
  usage_quantity, start_time, end_time, min_spend, reward_type, follow_prize_name,
  discount_amount, percentage, max_price}`` (``campaign_id`` is required here although
  Shopee's page marks it optional: without it there is nothing to show).
* ``POST end_follow_prize {campaign_id}``: ongoing only (``follow_prize.end_type``); ``end_time``
  becomes now; answers ``{campaign_id}``. ``delete_follow_prize``: upcoming only
  (``follow_prize.delete_type``); removes it; answers ``{campaign_id}`` (Shopee's sample; the
  field list says ``campagin_id``, section 10.3: clients should read both).
* ``POST update_follow_prize {campaign_id, follow_prize_name?, start_time?, end_time?,
  usage_quantity?, min_spend?}`` -> ``{campaign_id}``: expired ->
  ``follow_prize.update_expired_campaign``; ongoing: no new start
  (``update_start_time_ongoing``), name (``update_prize_name_ongoing``) or min spend
  (``update_min_spend_ongoing``); start only later (``update_start_time_earlier``) and after now
  (``start_time_min_limit``); end only earlier (``update_end_time_later``) and after now (ours:
  ``common.error_param``); at least 1 day long (``end_time_min_limit``); quantity 1-200000
  (``quota_out_range``) and never lower (``update_quantity_reduce``); name at most 20
  (``name_length_limit``).

**Shopee-created follow prizes: none.** Shopee documents no follow prize created by Shopee and no
refusal for one (sections 0, 10, 11 are silent), so the sandbox has none: the control API refuses
``shopee_created`` for this kind, and every follow prize may be ended or deleted by the rules
above. Follow prize errors carry ``"response": ""`` (Shopee's examples); parameter errors are
``common.error_param`` "Wrong parameters, detail: ...", unknown ids
``follow_prize.campaign_none`` "The promotion id is not existed". No push covers follow prizes.
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

P = "follow_prize."
END_TYPE = (P + "end_type", "Only the ongoing follow prize can be ended")
DELETE_TYPE = (P + "delete_type", "Only the upcoming promotions can be deleted")
ERRORS = {
    "expired": (P + "update_expired_campaign", "The expired follow prize can't be updated."),
    "start_ongoing": (P + "update_start_time_ongoing", "Cannot update start time which is ongoing"),
    "name_ongoing": (
        P + "update_prize_name_ongoing",
        "Cannot rename follow prize name which is ongoing",
    ),
    "min_spend_ongoing": (
        P + "update_min_spend_ongoing",
        "Minimum Basket Price can't be updated which is ongoing",
    ),
    "start_earlier": (
        P + "update_start_time_earlier",
        "Promotion start time can only be changed to a later timing.",
    ),
    "start_past": (
        P + "start_time_min_limit",
        "Please enter a start time later than the current time",
    ),
    "end_later": (
        P + "update_end_time_later",
        "Promotion end time can only be changed to an earlier timing.",
    ),
    "too_short": (
        P + "end_time_min_limit",
        "The end time must be greater than the start time by at least 1 day",
    ),
    "quota": (P + "quota_out_range", "Please enter a value between 1 and 200000"),
    "reduce": (P + "update_quantity_reduce", "Cannot reduce dispatch quantity."),
    "name": (P + "name_length_limit", "please input up to 20 characters of follow prize name"),
}


def _defaults(campaign_id: int, now: int) -> dict[str, Any]:
    return {
        "follow_prize_name": f"Follow {campaign_id}",
        "start_time": now - HOUR,
        "end_time": now + 7 * DAY,
        "usage_quantity": 100,
        "claimed": 0,
        "min_spend": 0,
        "reward_type": 1,
        "discount_amount": 5,
        "percentage": 0,
        "max_price": 0,
    }


def _check(record: dict[str, Any], where: str) -> None:
    if record["shopee_created"]:
        raise DocumentError(
            f"{where}: Shopee documents no Shopee-created follow prize; "
            "shopee_created must be false"
        )
    base.one_of(record, "reward_type", (1, 2, 3), where)


def _list_item(record: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "campaign_id": record["campaign_id"],
        "campaign_status": base.time_status(record, now),
        "follow_prize_name": record["follow_prize_name"],
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "usage_quantity": record["usage_quantity"],
        "claimed": record["claimed"],
    }


def get_follow_prize_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    query = req.query
    wanted = base.status_filter(query, "status", KIND)
    page_no = base.query_int(query, "page_no", KIND, default=1, low=1, high=5000)
    page_size = base.query_int(query, "page_size", KIND, default=20, low=1, high=100)
    records = base.listed(state, KIND, caller.shop_id, wanted)
    shown, more = base.page(records, page_no, page_size)
    now = state.now()
    return base.ok({"more": more, "follow_prize_list": [_list_item(r, now) for r in shown]})


def get_follow_prize_detail(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    campaign_id = base.query_int(req.query, "campaign_id", KIND, low=0)
    record = base.find(state, KIND, caller.shop_id, campaign_id)
    return base.ok(
        {
            "campaign_status": base.time_status(record, state.now()),
            "campaign_id": campaign_id,
            "usage_quantity": record["usage_quantity"],
            "start_time": record["start_time"],
            "end_time": record["end_time"],
            "min_spend": record["min_spend"],
            "reward_type": record["reward_type"],
            "follow_prize_name": record["follow_prize_name"],
            "discount_amount": record["discount_amount"],
            "percentage": record["percentage"],
            "max_price": record["max_price"],
        }
    )


def end_follow_prize(state: SandboxState, req: wire.Request) -> wire.Answer:
    _, _, record = base.target(state, req, KIND)
    now = state.now()
    if base.time_status(record, now) != ONGOING:
        raise KIND.error(*END_TYPE)
    record["end_time"] = record["update_time"] = now
    return base.ok({"campaign_id": record["campaign_id"]})


def delete_follow_prize(state: SandboxState, req: wire.Request) -> wire.Answer:
    shop_id, _, record = base.target(state, req, KIND)
    if base.time_status(record, state.now()) != UPCOMING:
        raise KIND.error(*DELETE_TYPE)
    del base.shop_records(state, KIND, shop_id)[record["campaign_id"]]
    return base.ok({"campaign_id": record["campaign_id"]})


def _check_update(record: dict[str, Any], changes: dict[str, Any], now: int) -> None:
    status = base.time_status(record, now)
    if status == EXPIRED:
        raise KIND.error(*ERRORS["expired"])
    ongoing = status == ONGOING
    start, end = changes.get("start_time"), changes.get("end_time")
    for name, error in (
        ("start_time", "start_ongoing"),
        ("follow_prize_name", "name_ongoing"),
        ("min_spend", "min_spend_ongoing"),
    ):
        if ongoing and name in changes:
            raise KIND.error(*ERRORS[error])
    if start is not None and start < record["start_time"]:
        raise KIND.error(*ERRORS["start_earlier"])
    if start is not None and start <= now:
        raise KIND.error(*ERRORS["start_past"])
    if end is not None and end > record["end_time"]:
        raise KIND.error(*ERRORS["end_later"])
    if end is not None and end <= now:
        raise KIND.param_error("end_time must be later than the current time")
    if (end or record["end_time"]) - (start or record["start_time"]) < DAY:
        raise KIND.error(*ERRORS["too_short"])
    quantity = changes.get("usage_quantity")
    if quantity is not None and not 1 <= quantity <= 200_000:
        raise KIND.error(*ERRORS["quota"])
    if quantity is not None and quantity < record["usage_quantity"]:
        raise KIND.error(*ERRORS["reduce"])
    if len(changes.get("follow_prize_name", "")) > 20:
        raise KIND.error(*ERRORS["name"])


def update_follow_prize(state: SandboxState, req: wire.Request) -> wire.Answer:
    caller = authenticate_shop(state, req)
    payload = base.body(req, KIND)
    campaign_id = base.body_int(payload, "campaign_id", KIND)
    changes = {
        "follow_prize_name": base.body_text(payload, "follow_prize_name", KIND),
        "start_time": base.body_int(payload, "start_time", KIND, default=None),
        "end_time": base.body_int(payload, "end_time", KIND, default=None),
        "usage_quantity": base.body_int(payload, "usage_quantity", KIND, default=None),
        "min_spend": base.body_number(payload, "min_spend", KIND),
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    record = base.find(state, KIND, caller.shop_id, campaign_id)
    now = state.now()
    _check_update(record, changes, now)
    record.update(changes)
    record["update_time"] = now
    return base.ok({"campaign_id": campaign_id})


KIND = Kind(
    name="follow_prize",
    id_field="campaign_id",
    error_response="",
    param_code="common.error_param",
    param_template="Wrong parameters, detail: {}.",
    not_found=("follow_prize.campaign_none", "The promotion id is not existed"),
    defaults=_defaults,
    check=_check,
    calls={
        "get_follow_prize_list": ("GET", get_follow_prize_list, False),
        "get_follow_prize_detail": ("GET", get_follow_prize_detail, False),
        "end_follow_prize": ("POST", end_follow_prize, True),
        "delete_follow_prize": ("POST", delete_follow_prize, True),
        "update_follow_prize": ("POST", update_follow_prize, True),
    },
    push_type=None,
    seller_end=base.end_now,
    seller_delete=base.remove,
)
