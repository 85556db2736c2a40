"""Shopee's voucher APIs (shop APIs): list, get, end, delete (update: sandbox.voucher_update).

Each handler first runs :func:`sandbox.common.authenticate_shop` (shop signature and token), then
its own checks. Statuses come from the sandbox clock (:func:`sandbox.documents.voucher_status`).
A voucher of another shop is not found for this shop. Errors, checked in this order:

* a missing/non-integer ``voucher_id`` -> ``error_param``;
* unknown -> ``common.error_not_found`` "The information you queried is not found.",
  ``"response": ""``;
* ``is_admin``, ``voucher_purpose`` 3 (shop follow), 4 (shop game), 6 (membership), or a
  voucher of a voucher campaign (the sandbox-only field ``voucher_campaign: true``: Shopee's
  lists do not show it, so a client learns it only from this refusal) ->
  ``voucher.operate_voucher_permission_error`` (the seed's message);
* end_voucher: upcoming -> ``voucher.end_voucher_status_error`` "Can only end the ongoing
  voucher."; expired -> ``voucher.update_end_voucher_error`` "Cannot update status for expired
  voucher."; success sets ``end_time`` to now, so the voucher is expired from then on;
* delete_voucher (our assumption, Shopee publishes none): not upcoming ->
  ``voucher.delete_voucher_status_error`` "Can only delete the upcoming voucher."; success removes
  the voucher.

Business errors carry ``"response": ""``. Callers hold the state lock.
"""

from __future__ import annotations

from typing import Any

from sandbox import wire
from sandbox.common import authenticate_shop, int_field, json_body, page_param
from sandbox.documents import detail, list_item, voucher_status
from sandbox.state import SandboxState

PROTECTED_PURPOSES = frozenset({3, 4, 6})  # shop follow, shop game, membership
STATUSES = ("upcoming", "ongoing", "expired", "all")
PAGE_NO_MAX = 5000
PAGE_SIZE_MAX = 100


def ok(response: Any) -> wire.Answer:
    """A successful shop API answer: ``error`` and ``message`` empty, payload under response."""
    return wire.Answer.json(wire.envelope(response=response))


def business_error(error: str, message: str) -> wire.ShopeeError:
    return wire.ShopeeError(error, message, response="")


def find_voucher(state: SandboxState, shop_id: int, voucher_id: int) -> dict[str, Any]:
    voucher = state.vouchers.get(shop_id, {}).get(voucher_id)
    if voucher is None:
        raise business_error("common.error_not_found", wire.NOT_FOUND)
    return voucher


def check_permission(voucher: dict[str, Any]) -> None:
    if (
        voucher.get("is_admin")
        or voucher.get("voucher_purpose") in PROTECTED_PURPOSES
        or voucher.get("voucher_campaign")
    ):
        raise business_error("voucher.operate_voucher_permission_error", wire.PERMISSION_ERROR)


def get_voucher_list(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``GET /api/v2/voucher/get_voucher_list``: ``status`` required, pages ordered by id."""
    caller = authenticate_shop(state, req)
    status = req.query.get("status", "")
    if not status:
        raise wire.param_error(wire.missing_in_query("status"))
    if status not in STATUSES:
        raise wire.param_error(f"Invalid status: expected one of {', '.join(STATUSES)}.")
    page_no = page_param(req.query, "page_no", low=1, high=PAGE_NO_MAX, default=1)
    page_size = page_param(req.query, "page_size", low=1, high=PAGE_SIZE_MAX, default=20)
    now = state.now()
    matching = [
        voucher
        for _, voucher in sorted(state.vouchers.get(caller.shop_id, {}).items())
        if status == "all" or voucher_status(voucher, now) == status
    ]
    start = (page_no - 1) * page_size
    page = matching[start : start + page_size]
    return ok(
        {"more": start + page_size < len(matching), "voucher_list": list(map(list_item, page))}
    )


def get_voucher(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``GET /api/v2/voucher/get_voucher?voucher_id=``: list fields plus the detail fields."""
    caller = authenticate_shop(state, req)
    voucher_id = int_field(req.query, "voucher_id", where="query")
    return ok(detail(find_voucher(state, caller.shop_id, voucher_id)))


def end_voucher(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/voucher/end_voucher {"voucher_id"}``: ends an ongoing voucher now."""
    caller = authenticate_shop(state, req)
    voucher_id = int_field(json_body(req), "voucher_id", where="body")
    voucher = find_voucher(state, caller.shop_id, voucher_id)
    check_permission(voucher)
    now = state.now()
    status = voucher_status(voucher, now)
    if status == "upcoming":
        raise business_error("voucher.end_voucher_status_error", wire.END_STATUS_ERROR)
    if status == "expired":
        raise business_error("voucher.update_end_voucher_error", wire.END_EXPIRED_ERROR)
    voucher["end_time"] = now
    return ok({"voucher_id": voucher_id})


def delete_voucher(state: SandboxState, req: wire.Request) -> wire.Answer:
    """``POST /api/v2/voucher/delete_voucher {"voucher_id"}``: removes an upcoming voucher."""
    caller = authenticate_shop(state, req)
    voucher_id = int_field(json_body(req), "voucher_id", where="body")
    voucher = find_voucher(state, caller.shop_id, voucher_id)
    check_permission(voucher)
    if voucher_status(voucher, state.now()) != "upcoming":
        raise business_error("voucher.delete_voucher_status_error", wire.DELETE_STATUS_ERROR)
    del state.vouchers[caller.shop_id][voucher_id]
    return ok({"voucher_id": voucher_id})
