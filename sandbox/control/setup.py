"""Control actions that set the sandbox up: reset, clock, faults, settings, shop changes.

``POST /_sandbox/settings`` takes any of ``{"rate_limit_per_shop": float | null, "push_url": "http://..."
| "https://..." | null, "discount_messages": "shopee" | "by_meaning"}``, all or nothing, and
answers the settings ``{"rate_limit_per_shop", "push_url", "discount_messages"}``
(:data:`sandbox.promotions.discount.MESSAGE_CHOICES`: Shopee's discount end/delete key-message
pairs look swapped, shopee-promotions.md section 10.1). When the body names ``push_url`` the answer
also has ``"verification"``: setting a URL sends the code 0 verification push (signed with the
first partner's key: one push URL serves every partner) and the record shows how its delivery went;
it is null when the URL was cleared or there is no partner. A reset clears the push URL.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from sandbox import faults, push, wire
from sandbox.control.base import ControlError, Delivery, read_body, shop_by_path
from sandbox.documents import DocumentError, shop_changes
from sandbox.promotions import discount
from sandbox.state import SandboxState


def reset(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    try:
        state.reset(read_body(req))
    except DocumentError as exc:
        raise ControlError(f"invalid reset document: {exc}") from None
    return {"ok": True}


MAX_ADVANCE_SECONDS = 100 * 365 * 86400


def advance_clock(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    seconds = read_body(req).get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError("advance_seconds must be a number >= 0")
    if not math.isfinite(seconds) or seconds > MAX_ADVANCE_SECONDS:
        raise ControlError(f"advance_seconds must be at most {MAX_ADVANCE_SECONDS} (100 years)")
    return {"now": state.advance_clock(seconds)}


def set_faults(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    try:
        rules = faults.parse_rules(read_body(req).get("rules"))
    except faults.FaultRuleError as exc:
        raise ControlError(str(exc)) from None
    state.fault_rules[:] = rules
    return {"ok": True, "rules": [rule.view() for rule in rules]}


def settings(state: SandboxState, req: wire.Request | None = None) -> dict[str, Any]:
    return {
        "rate_limit_per_shop": state.throttle.rps,
        "push_url": state.push_url,
        "discount_messages": state.discount_messages,
    }


def _push_url(value: Any) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ControlError("push_url must be an http:// or https:// URL, or null")
    return value


def set_settings(state: SandboxState, req: wire.Request) -> dict[str, Any] | Delivery:
    body = read_body(req)
    rps = body.get("rate_limit_per_shop")
    if "rate_limit_per_shop" in body:
        if rps is not None and (isinstance(rps, bool) or not isinstance(rps, int | float)):
            raise ControlError("rate_limit_per_shop must be a positive number or null")
        if rps is not None and rps <= 0:
            raise ControlError("rate_limit_per_shop must be a positive number or null")
    url = _push_url(body.get("push_url"))
    messages = body.get("discount_messages", state.discount_messages)
    if messages not in discount.MESSAGE_CHOICES:
        raise ControlError(f"discount_messages must be one of {list(discount.MESSAGE_CHOICES)}")
    state.discount_messages = messages
    if "rate_limit_per_shop" in body:
        state.throttle.configure(None if rps is None else float(rps))
    if "push_url" not in body:
        return settings(state)
    state.push_url = url
    verification = None
    if url is not None and state.partners:
        partner_id = next(iter(state.partners))
        verification = push.new_push(
            state, partner_id=partner_id, code=0, data=push.verification_data()
        )
    return Delivery(settings(state), {"verification": verification})


def update_shop(state: SandboxState, req: wire.Request, shop_id: str) -> dict[str, Any]:
    """``POST /_sandbox/shops/<shop_id>``: change some of a shop's fields, all or none."""
    shop = shop_by_path(state, shop_id)
    try:
        changes = shop_changes(read_body(req))
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    for name, value in changes.items():
        setattr(shop, name, value)
    return {"ok": True}
