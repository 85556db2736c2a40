"""Shopee's side: routing, faults, throttling and the calls log, around the API handlers.

Every request outside ``/_sandbox/`` goes through :func:`handle`:

1. fault rules are consulted (:mod:`sandbox.faults`); latency is waited out first;
2. a ``phase: before`` fault answers instead of the API (the request is not applied);
3. otherwise the API runs under the state lock: an unknown path or the wrong method gets
   ``error_param`` "Permission denied. This API is currently offline or the request path is
   incorrect." (HTTP 200, as Shopee answers); a shop API call over the per-shop rate limit
   gets ``error_rate_limit`` "Too many requests, please try again later." with HTTP 429; a
   state-changing API saves the state (``--state``) before the lock is released;
4. a ``phase: after`` fault then replaces the answer (the request was applied: the answer lost,
   but the pushes it caused are still delivered);
5. the call is appended to the calls log (``GET /_sandbox/calls``) before anything is sent.

Every promotion kind's calls (:mod:`sandbox.promotions`) are routes here like the voucher APIs.

Pushes an API causes (code 1 when the seller clicks Authorize) ride on the answer
(``Answer.pushes``); the server delivers them from a background thread once the answer is sent.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import (
    auth_api,
    auth_page,
    faults,
    partner_api,
    promotions,
    shop_api,
    voucher_api,
    voucher_update,
    wire,
)
from sandbox.common import parse_int
from sandbox.state import SandboxState

Handler = Callable[[SandboxState, wire.Request], wire.Answer]


@dataclass(frozen=True)
class Route:
    method: str
    handler: Handler
    changes_state: bool


ROUTES: dict[str, Route] = {
    auth_page.AUTH_PARTNER_PATH: Route("GET", auth_page.auth_partner_page, False),
    auth_page.AUTHORIZE_PATH: Route("GET", auth_page.authorize, True),
    "/api/v2/auth/token/get": Route("POST", auth_api.token_get, True),
    "/api/v2/auth/access_token/get": Route("POST", auth_api.access_token_get, True),
    shop_api.GET_SHOP_INFO_PATH: Route("GET", shop_api.get_shop_info, False),
    "/api/v2/voucher/get_voucher_list": Route("GET", voucher_api.get_voucher_list, False),
    "/api/v2/voucher/get_voucher": Route("GET", voucher_api.get_voucher, False),
    "/api/v2/voucher/end_voucher": Route("POST", voucher_api.end_voucher, True),
    "/api/v2/voucher/delete_voucher": Route("POST", voucher_api.delete_voucher, True),
    voucher_update.UPDATE_VOUCHER_PATH: Route("POST", voucher_update.update_voucher, True),
    partner_api.SHOPS_BY_PARTNER_PATH: Route("GET", partner_api.get_shops_by_partner, False),
    partner_api.GET_LOST_PUSH_PATH: Route("GET", partner_api.get_lost_push_message, False),
    partner_api.CONFIRM_CONSUMED_PATH: Route(
        "POST", partner_api.confirm_consumed_lost_push_message, True
    ),
} | {path: Route(*call) for path, call in promotions.routes().items()}


def request_shop_id(req: wire.Request) -> int | None:
    """The shop a call is about: the query's shop_id, else the JSON body's (token APIs)."""
    shop_id = parse_int(req.query.get("shop_id"))
    if shop_id is None:
        body = req.body_for_log()
        if isinstance(body, dict):
            shop_id = parse_int(body.get("shop_id"))
    return shop_id


def handle(
    state: SandboxState,
    req: wire.Request,
    *,
    persist: Callable[[], None],
    sleep: Callable[[float], None],
) -> wire.Answer:
    """Answer one Shopee-side request (see the module docstring); ``sleep`` waits out latency."""
    shop_id = request_shop_id(req)
    with state.lock:
        received = state.now_float()
        delay, rule = faults.select(state.fault_rules, req.path, shop_id)
    if delay:
        sleep(delay)
    if rule is not None and rule.phase == "before":
        answer = rule.answer()
    else:
        answer = _process(state, req, persist)
        if rule is not None:
            applied, answer = answer, rule.answer()
            answer.pushes = applied.pushes
    with state.lock:
        fault = rule.kind if rule is not None else ("latency" if delay else None)
        state.calls.append(_call_record(req, received, shop_id, answer, fault))
    return answer


def _process(state: SandboxState, req: wire.Request, persist: Callable[[], None]) -> wire.Answer:
    route = ROUTES.get(req.path)
    if route is None or route.method != req.method:
        return wire.param_error(wire.PERMISSION_DENIED_PATH).answer()
    with state.lock:
        throttled_shop = parse_int(req.query.get("shop_id"))
        if throttled_shop is not None and not state.throttle.allow(throttled_shop):
            return wire.ShopeeError("error_rate_limit", wire.RATE_LIMITED, status=429).answer()
        try:
            answer = route.handler(state, req)
        except wire.ShopeeError as exc:
            answer = exc.answer()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            message = "Sandbox internal error (see the sandbox's stderr)."
            answer = wire.ShopeeError("error_server", message, status=500).answer()
        if route.changes_state:
            persist()
    return answer


def _call_record(
    req: wire.Request,
    received: float,
    shop_id: int | None,
    answer: wire.Answer,
    fault: str | None,
) -> dict[str, Any]:
    """One entry of ``GET /_sandbox/calls``."""
    answered = answer.action is None
    return {
        "time": received,
        "method": req.method,
        "path": req.path,
        "query": dict(req.query),
        "body": req.body_for_log(),
        "shop_id": shop_id,
        "status": answer.status if answered else None,
        "response": answer.payload if answered else None,
        "request_id": answer.request_id,
        "fault": fault,
    }
