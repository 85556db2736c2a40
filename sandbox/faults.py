"""Fault rules: how the app's failure handling gets tested (``POST /_sandbox/faults``).

A rule (JSON object)::

    {"path": "/api/v2/voucher/end_voucher",  # exact path, or a prefix ending in "*"
     "shop_id": 123,                         # optional: only calls for that shop
     "times": 2,                             # optional: only the next N matching calls
     "rate": 0.2, "seed": 7,                 # optional: that fraction of matching calls
     "phase": "before",                      # "before" (default): the request is not applied;
                                             # "after": applied normally, then the answer replaced
     "kind": "http_status", ...kind parameters}

Kinds and their parameters (defaults in brackets):

* ``latency``: ``latency_ms`` [100] -- wait, then answer normally;
* ``http_status``: ``status`` [500], ``content_type`` ["text/html"], ``body`` [a small HTML error
  page, or for ``application/json`` a Shopee envelope with ``error_server``]; a JSON ``body``
  given as an object is serialized;
* ``shopee_error``: ``error`` ["error_server"], ``message`` ["Internal server error"],
  ``status`` [200] -- a normal Shopee envelope with a fresh request_id;
* ``drop``: close the connection without any HTTP response;
* ``hang``: ``hang_seconds`` [30] -- wait, then close without answering;
* ``non_json``: ``status`` [200], ``body`` ["upstream connect error"] as text/plain.

Without ``times`` and ``rate`` a rule fires on every matching call; with both, on that fraction
until N firings. Rules are tried in order; latency rules add up and let the search go on, the
first other rule that fires decides the answer. The shop of a call is its query ``shop_id``, or
for the token APIs the body's. Callers hold the state lock.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from sandbox import wire

KINDS = ("latency", "http_status", "shopee_error", "drop", "hang", "non_json")
PHASES = ("before", "after")
DEFAULTS: dict[str, dict[str, Any]] = {
    "latency": {"latency_ms": 100},
    "http_status": {"status": 500, "content_type": "text/html"},
    "shopee_error": {"error": "error_server", "message": "Internal server error", "status": 200},
    "drop": {},
    "hang": {"hang_seconds": 30},
    "non_json": {"status": 200, "body": "upstream connect error"},
}
_RULE_KEYS = {"path", "shop_id", "times", "rate", "seed", "phase", "kind"}


class FaultRuleError(ValueError):
    """A malformed rule; the text says which field."""


@dataclass
class FaultRule:
    """One parsed rule; ``remaining`` counts down from ``times`` (None: unlimited)."""

    path: str
    kind: str
    params: dict[str, Any]
    shop_id: int | None = None
    remaining: int | None = None
    rate: float | None = None
    seed: int | None = None
    phase: str = "before"
    fired: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, path: str, shop_id: int | None) -> bool:
        if self.shop_id is not None and self.shop_id != shop_id:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def fire(self) -> bool:
        """Decide whether this matching call is hit, and count it if so."""
        if self.remaining == 0:
            return False
        if self.rate is not None and self._random.random() >= self.rate:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.fired += 1
        return True

    def view(self) -> dict[str, Any]:
        """The rule as ``GET /_sandbox/faults`` lists it."""
        return {
            "path": self.path,
            "shop_id": self.shop_id,
            "kind": self.kind,
            "phase": self.phase,
            "rate": self.rate,
            "seed": self.seed,
            "remaining": self.remaining,
            "fired": self.fired,
            **self.params,
        }

    def answer(self) -> wire.Answer:
        """What the faulty call gets instead of the real answer (not for ``latency``)."""
        p = self.params
        if self.kind == "drop":
            return wire.Answer(action="drop")
        if self.kind == "hang":
            return wire.Answer(action="hang", hang_seconds=float(p["hang_seconds"]))
        if self.kind == "shopee_error":
            return wire.ShopeeError(p["error"], p["message"], status=p["status"]).answer()
        if self.kind == "non_json":
            return wire.Answer.text(str(p["body"]), status=p["status"])
        return _http_status_answer(p["status"], p["content_type"], p.get("body"))


def _http_status_answer(status: int, content_type: str, body: Any) -> wire.Answer:
    is_json = content_type.startswith("application/json")
    if body is None:
        body = wire.envelope("error_server", "Internal server error") if is_json else _page(status)
    text = body if isinstance(body, str) else json.dumps(body)
    answer = wire.Answer.text(text, status=status, content_type=content_type)
    if is_json:
        try:
            answer.payload = json.loads(text)
        except ValueError:
            return answer
        if isinstance(answer.payload, dict):
            answer.request_id = answer.payload.get("request_id")
    return answer


def _page(status: int) -> str:
    try:
        title = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        title = f"{status} Error"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"


def _number(rule: dict[str, Any], name: str, kind: type, *, low: float, high: float) -> Any:
    value = rule[name]
    ok = isinstance(value, int | float) if kind is float else isinstance(value, int)
    if isinstance(value, bool) or not ok or not low <= value <= high:
        raise FaultRuleError(f"{name} must be a {kind.__name__} between {low} and {high}")
    return value


def parse_rule(rule: Any) -> FaultRule:
    """Validate one rule and fill in its kind's defaults."""
    if not isinstance(rule, dict):
        raise FaultRuleError("a rule must be a JSON object")
    path, kind, phase = rule.get("path"), rule.get("kind"), rule.get("phase", "before")
    if not isinstance(path, str) or not path.startswith("/"):
        raise FaultRuleError("path must be a string starting with /")
    if kind not in KINDS:
        raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}")
    if phase not in PHASES:
        raise FaultRuleError("phase must be 'before' or 'after'")
    params = DEFAULTS[kind] | {k: v for k, v in rule.items() if k not in _RULE_KEYS}
    for name in ("latency_ms", "hang_seconds"):
        if name in params:
            params[name] = _number(params, name, float, low=0, high=10**6)
    if "status" in params:
        params["status"] = _number(params, "status", int, low=100, high=599)
    parsed = FaultRule(path=path, kind=kind, params=params, phase=phase)
    if rule.get("shop_id") is not None:
        parsed.shop_id = _number(rule, "shop_id", int, low=0, high=2**63)
    if rule.get("times") is not None:
        parsed.remaining = _number(rule, "times", int, low=1, high=10**9)
    if rule.get("rate") is not None:
        parsed.rate = float(_number(rule, "rate", float, low=0, high=1))
    if rule.get("seed") is not None:
        parsed.seed = _number(rule, "seed", int, low=-(2**63), high=2**63)
        parsed._random.seed(parsed.seed)
    return parsed


def parse_rules(rules: Any) -> list[FaultRule]:
    """Validate a list of rules (``{"rules": [...]}``'s value); raise FaultRuleError."""
    if not isinstance(rules, list):
        raise FaultRuleError("rules must be a list")
    parsed = []
    for i, rule in enumerate(rules):
        try:
            parsed.append(parse_rule(rule))
        except FaultRuleError as exc:
            raise FaultRuleError(f"rules[{i}]: {exc}") from None
    return parsed


def select(
    rules: list[FaultRule], path: str, shop_id: int | None
) -> tuple[float, FaultRule | None]:
    """Seconds of added latency, and the rule that decides the answer (None: answer normally)."""
    delay = 0.0
    for rule in rules:
        if not rule.matches(path, shop_id) or not rule.fire():
            continue
        if rule.kind != "latency":
            return delay, rule
        delay += rule.params["latency_ms"] / 1000
    return delay, None
