"""The control API under ``/_sandbox/`` (never under ``/api/``): how tests drive the sandbox.

======  ============================================  ===========================================
method  path                                          body -> answer
======  ============================================  ===========================================
GET     /_sandbox/health                              -> ``{"ok": true}``
POST    /_sandbox/reset                               reset document (:mod:`sandbox.documents`)
                                                      -> ``{"ok": true}``; also clears the clock
                                                      offset, calls, faults, rate limit, push URL
                                                      and pushes
GET     /_sandbox/state                               -> :mod:`sandbox.views` (shops, main
                                                      accounts, merchants, vouchers, tokens)
GET     /_sandbox/calls                               -> ``{"calls": [...]}`` every Shopee-side
                                                      request, oldest first
DELETE  /_sandbox/calls                               clears the log -> ``{"ok": true}``
GET     /_sandbox/clock                               -> ``{"now": <sandbox unix time>}``
POST    /_sandbox/clock                               ``{"advance_seconds": N}`` (N >= 0)
                                                      -> ``{"now": ...}``
GET     /_sandbox/faults                              -> ``{"rules": [...]}`` with ``remaining``
                                                      and ``fired`` counts
POST    /_sandbox/faults                              ``{"rules": [...]}`` replaces all rules
                                                      -> ``{"ok", "rules"}``
DELETE  /_sandbox/faults                              clears the rules -> ``{"ok": true}``
GET     /_sandbox/settings                            -> ``{"rate_limit_per_shop", "push_url"}``
POST    /_sandbox/settings                            any of ``{"rate_limit_per_shop": float |
                                                      null, "push_url": str | null}`` -> the
                                                      settings (+ ``"verification"`` when
                                                      ``push_url`` is given;
                                                      :mod:`sandbox.control.setup`)
POST    /_sandbox/shops/<id>                          any of ``{"status", "auth_time",
                                                      "auth_expire_time", "name", "region",
                                                      "merchant_id", "auth_cancelled"}``
                                                      -> ``{"ok": true}`` (no push)
POST    /_sandbox/shops/<id>/cancel_authorization     -> ``{"ok": true, "push": <record>}``
POST    /_sandbox/main_accounts/<id>/cancel_authorization
                                                      -> ``{"ok": true, "push": <record>}``
POST    /_sandbox/authorization_expiry                ``{"shop_ids", "merchant_ids",
                                                      "expire_at"}`` -> ``{"ok", "push"}``
POST    /_sandbox/push                                ``{"code", "data", "shop_id",
                                                      "partner_id"}`` -> ``{"ok", "push"}``
GET     /_sandbox/pushes                              -> ``{"pushes": [<record>, ...]}``
POST    /_sandbox/vouchers                            a voucher (as in the reset document,
                                                      ``shop_id`` required) -> ``{"ok",
                                                      "voucher"}``
POST    /_sandbox/vouchers/<shop_id>/<voucher_id>     any voucher fields -> ``{"ok",
                                                      "voucher"}`` (:mod:`sandbox.control.vouchers`)
POST    /_sandbox/promotions/<kind>                   a promotion -> ``{"ok", "promotion"}``
POST    /_sandbox/promotions/<kind>/<shop>/<id>       any fields -> ``{"ok", "promotion"}``
POST    /_sandbox/promotions/<kind>/<shop>/<id>/end   Seller Centre ends it
POST    /_sandbox/promotions/<kind>/<shop>/<id>/delete
                                                      Seller Centre deletes it
POST    /_sandbox/promotions/<kind>/<shop>/<id>/push  ``{"code": 7 | 9, "action", "item_id",
                                                      ...}`` -> ``{"ok", "push"}``
                                                      (:mod:`sandbox.control.promotions`)
======  ============================================  ===========================================

The push actions are :mod:`sandbox.control.authorization`. A malformed body gets HTTP 400
``{"ok": false, "error": "<what is wrong>"}``; an unknown shop, main account or voucher 404, an
unknown path 404 and a wrong method 405, with the same shape. Actions run under the state lock;
pushes they cause are delivered after it is released, before the answer is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox import push, wire
from sandbox.control import authorization, promotions, setup, vouchers
from sandbox.control.base import ControlError, Delivery
from sandbox.state import SandboxState
from sandbox.views import snapshot

Action = Callable[..., dict[str, Any] | Delivery]


def _clear(items: list[Any]) -> dict[str, Any]:
    items.clear()
    return {"ok": True}


ROUTES: dict[tuple[str, str], tuple[Action, bool]] = {
    ("GET", "/_sandbox/health"): (lambda s, r: {"ok": True}, False),
    ("POST", "/_sandbox/reset"): (setup.reset, True),
    ("GET", "/_sandbox/state"): (lambda s, r: snapshot(s), False),
    ("GET", "/_sandbox/calls"): (lambda s, r: {"calls": s.calls}, False),
    ("DELETE", "/_sandbox/calls"): (lambda s, r: _clear(s.calls), False),
    ("GET", "/_sandbox/clock"): (lambda s, r: {"now": s.now()}, False),
    ("POST", "/_sandbox/clock"): (setup.advance_clock, True),
    ("GET", "/_sandbox/faults"): (lambda s, r: {"rules": [f.view() for f in s.fault_rules]}, False),
    ("POST", "/_sandbox/faults"): (setup.set_faults, False),
    ("DELETE", "/_sandbox/faults"): (lambda s, r: _clear(s.fault_rules), False),
    ("GET", "/_sandbox/settings"): (setup.settings, False),
    ("POST", "/_sandbox/settings"): (setup.set_settings, True),
    ("POST", "/_sandbox/authorization_expiry"): (authorization.authorization_expiry, True),
    ("POST", "/_sandbox/push"): (authorization.send_push, True),
    ("GET", "/_sandbox/pushes"): (authorization.pushes, False),
    ("POST", "/_sandbox/vouchers"): (vouchers.add_voucher, True),
}

# Paths with ids, tried in order: (pattern, method, action, changes state).
PATTERNS: list[tuple[re.Pattern[str], str, Action, bool]] = [
    (
        re.compile(r"/_sandbox/shops/([^/]+)/cancel_authorization"),
        "POST",
        authorization.cancel_shop,
        True,
    ),
    (
        re.compile(r"/_sandbox/main_accounts/([^/]+)/cancel_authorization"),
        "POST",
        authorization.cancel_main_account,
        True,
    ),
    (re.compile(r"/_sandbox/shops/([^/]*)"), "POST", setup.update_shop, True),
    (re.compile(r"/_sandbox/vouchers/([^/]+)/([^/]+)"), "POST", vouchers.update_voucher, True),
    *[
        (re.compile(rf"/_sandbox/promotions/([^/]+)/([^/]+)/([^/]+)/{verb}"), "POST", action, True)
        for verb, action in (
            ("end", promotions.end_promotion),
            ("delete", promotions.delete_promotion),
            ("push", promotions.push_promotion),
        )
    ],
    (
        re.compile(r"/_sandbox/promotions/([^/]+)/([^/]+)/([^/]+)"),
        "POST",
        promotions.edit_promotion,
        True,
    ),
    (re.compile(r"/_sandbox/promotions/([^/]+)"), "POST", promotions.add_promotion, True),
]


def _route(method: str, path: str) -> tuple[Action, tuple[str, ...], bool]:
    route = ROUTES.get((method, path))
    if route is not None:
        return route[0], (), route[1]
    for pattern, allowed, action, changes_state in PATTERNS:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if method != allowed:
            raise ControlError(f"{method} is not allowed on {path}", 405)
        return action, match.groups(), changes_state
    if any(known == path for _, known in ROUTES):
        raise ControlError(f"{method} is not allowed on {path}", 405)
    raise ControlError("unknown path", 404)


def handle(state: SandboxState, req: wire.Request, *, persist: Callable[[], None]) -> wire.Answer:
    """Answer one control request; state-changing ones save the state (``--state``).

    Pushes an action sends are delivered after the lock is released, then the answer is
    built with their records.
    """
    with state.lock:
        try:
            action, ids, changes_state = _route(req.method, req.path)
            result = action(state, req, *ids)
            if changes_state:
                persist()
        except ControlError as exc:
            return wire.Answer.json({"ok": False, "error": str(exc)}, status=exc.status)
        if not isinstance(result, Delivery):
            return wire.Answer.json(result)
    push.deliver(state, [p for p in result.pushes.values() if p is not None], persist)
    with state.lock:
        return wire.Answer.json(result.answer())
