"""The control API under ``/_sandbox/`` (never under ``/api/``): how tests drive the sandbox.

=========  ======================  ===============================================================
method     path                    body -> answer
=========  ======================  ===============================================================
GET        /_sandbox/health        -> ``{"ok": true}``
POST       /_sandbox/reset         reset document (:mod:`sandbox.documents`) -> ``{"ok": true}``;
                                   also clears the clock offset, calls, faults and rate limit
GET        /_sandbox/state         -> ``{"now", "partners", "shops", "vouchers",
                                   "rate_limit_per_shop"}`` (shops with current tokens and
                                   their ``*_expires_at``)
GET        /_sandbox/calls         -> ``{"calls": [...]}`` every Shopee-side request, oldest first
DELETE     /_sandbox/calls         clears the log -> ``{"ok": true}``
GET        /_sandbox/clock         -> ``{"now": <sandbox unix time>}``
POST       /_sandbox/clock         ``{"advance_seconds": N}`` (N >= 0) -> ``{"now": ...}``
GET        /_sandbox/faults        -> ``{"rules": [...]}`` with ``remaining`` and ``fired`` counts
POST       /_sandbox/faults        ``{"rules": [...]}`` replaces all rules -> ``{"ok", "rules"}``
DELETE     /_sandbox/faults        clears the rules -> ``{"ok": true}``
GET        /_sandbox/settings      -> ``{"rate_limit_per_shop": float | null}``
POST       /_sandbox/settings      ``{"rate_limit_per_shop": float | null}`` -> the settings
POST       /_sandbox/shops/<id>    any of ``{"status", "auth_time", "auth_expire_time", "name",
                                   "region"}`` -> ``{"ok": true}``; an unknown shop 404
=========  ======================  ===============================================================

A malformed body gets HTTP 400 ``{"ok": false, "error": "<what is wrong>"}``; an unknown path
404 and a wrong method 405, with the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox import faults, wire
from sandbox.documents import DocumentError, shop_changes
from sandbox.state import SandboxState


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _body(req: wire.Request) -> dict[str, Any]:
    try:
        body = json.loads(req.raw_body or b"{}")
    except ValueError as exc:
        raise ControlError(f"malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _reset(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    try:
        state.reset(_body(req))
    except DocumentError as exc:
        raise ControlError(f"invalid reset document: {exc}") from None
    return {"ok": True}


def _advance(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    seconds = _body(req).get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError("advance_seconds must be a number >= 0")
    return {"now": state.advance_clock(seconds)}


def _set_faults(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    try:
        rules = faults.parse_rules(_body(req).get("rules"))
    except faults.FaultRuleError as exc:
        raise ControlError(str(exc)) from None
    state.fault_rules[:] = rules
    return {"ok": True, "rules": [rule.view() for rule in rules]}


def _set_settings(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    body = _body(req)
    if "rate_limit_per_shop" in body:
        rps = body["rate_limit_per_shop"]
        if rps is not None and (isinstance(rps, bool) or not isinstance(rps, int | float)):
            raise ControlError("rate_limit_per_shop must be a positive number or null")
        try:
            state.throttle.configure(None if rps is None else float(rps))
        except ValueError as exc:
            raise ControlError(str(exc)) from None
    return {"rate_limit_per_shop": state.throttle.rps}


SHOPS_PREFIX = "/_sandbox/shops/"


def _update_shop(state: SandboxState, req: wire.Request) -> dict[str, Any]:
    """``POST /_sandbox/shops/<shop_id>``: change some of a shop's fields, all or none."""
    shop_id = req.path.removeprefix(SHOPS_PREFIX)
    shop = state.shops.get(int(shop_id)) if shop_id.isdecimal() else None
    if shop is None:
        raise ControlError(f"unknown shop {shop_id!r}", 404)
    try:
        changes = shop_changes(_body(req))
    except DocumentError as exc:
        raise ControlError(str(exc)) from None
    for name, value in changes.items():
        setattr(shop, name, value)
    return {"ok": True}


def _clear(items: list[Any]) -> dict[str, Any]:
    items.clear()
    return {"ok": True}


Action = Callable[[SandboxState, wire.Request], dict[str, Any]]

ROUTES: dict[tuple[str, str], tuple[Action, bool]] = {
    ("GET", "/_sandbox/health"): (lambda s, r: {"ok": True}, False),
    ("POST", "/_sandbox/reset"): (_reset, True),
    ("GET", "/_sandbox/state"): (lambda s, r: s.snapshot(), False),
    ("GET", "/_sandbox/calls"): (lambda s, r: {"calls": s.calls}, False),
    ("DELETE", "/_sandbox/calls"): (lambda s, r: _clear(s.calls), False),
    ("GET", "/_sandbox/clock"): (lambda s, r: {"now": s.now()}, False),
    ("POST", "/_sandbox/clock"): (_advance, True),
    ("GET", "/_sandbox/faults"): (lambda s, r: {"rules": [f.view() for f in s.fault_rules]}, False),
    ("POST", "/_sandbox/faults"): (_set_faults, False),
    ("DELETE", "/_sandbox/faults"): (lambda s, r: _clear(s.fault_rules), False),
    ("GET", "/_sandbox/settings"): (lambda s, r: {"rate_limit_per_shop": s.throttle.rps}, False),
    ("POST", "/_sandbox/settings"): (_set_settings, False),
}


def _route(method: str, path: str) -> tuple[Action, bool]:
    route = ROUTES.get((method, path))
    if route is not None:
        return route
    if path.startswith(SHOPS_PREFIX) and method == "POST":
        return _update_shop, True
    if path.startswith(SHOPS_PREFIX) or any(known == path for _, known in ROUTES):
        raise ControlError(f"{method} is not allowed on {path}", 405)
    raise ControlError("unknown path", 404)


def handle(state: SandboxState, req: wire.Request, *, persist: Callable[[], None]) -> wire.Answer:
    """Answer one control request; state-changing ones save the state (``--state``)."""
    with state.lock:
        try:
            action, changes_state = _route(req.method, req.path)
            payload = action(state, req)
            if changes_state:
                persist()
        except ControlError as exc:
            return wire.Answer.json({"ok": False, "error": str(exc)}, status=exc.status)
        return wire.Answer.json(payload)
