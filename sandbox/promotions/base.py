"""What every promotion kind shares: its description (:class:`Kind`), status by time, paging,
parameter parsing with the module's own error, lookup, and the stored records.

A kind's records live in ``state.promotions[kind.name][shop_id][promotion_id]`` (plain dicts of
Shopee's fields plus the sandbox-only ``shopee_created`` and ``update_time``), read and written
under the state lock like vouchers. Ids are global per kind. A record of another shop is not
found for this shop.

Status is never stored: ``upcoming`` while sandbox now < ``start_time``, ``ongoing`` while
``start_time`` <= now < ``end_time``, then ``expired`` (:func:`time_status`).

Errors raised by a kind's handlers (after the common signature and token checks of
:func:`sandbox.common.authenticate_shop`, which keep their own shape) carry the module's
``response``: ``{}`` for discount, bundle deal, add-on deal and shop flash sale, ``""`` for
follow prize (Shopee's error examples, shopee-promotions.md section 1). Parameter errors use
the module's code and wording (:attr:`Kind.param_code`, :attr:`Kind.param_template`); the
detail inside is ours.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox import fields, wire
from sandbox.common import authenticate_shop, parse_int
from sandbox.fields import DocumentError

if TYPE_CHECKING:
    from sandbox.state import SandboxState

UPCOMING, ONGOING, EXPIRED = "upcoming", "ongoing", "expired"
STATUS_FILTERS = ("upcoming", "ongoing", "expired", "all")
HOUR, DAY = 3600, 86400
REQUIRED: Any = object()

Handler = Callable[["SandboxState", wire.Request], wire.Answer]


@dataclass(frozen=True)
class Kind:
    """One promotion kind: its Shopee module, id field, error shapes and sandbox behaviour.

    ``calls`` maps an API name (``end_discount``) to (HTTP method, handler, changes state); the
    path is ``/api/v2/<name>/<api>``. ``defaults(promotion_id, now)`` gives a record's default
    fields; ``check(record, where)`` validates a control or reset record (raises
    ``DocumentError``); ``seller_end(record, now)`` and ``seller_delete(records, record_id, now)``
    play Seller Centre; ``push_type`` is Shopee's ``promotion_type`` in pushes 7 and 9 (None:
    no push covers the kind).
    """

    name: str
    id_field: str
    error_response: Any
    param_code: str
    param_template: str
    not_found: tuple[str, str]
    defaults: Callable[[int, int], dict[str, Any]]
    check: Callable[[dict[str, Any], str], None]
    calls: dict[str, tuple[str, Handler, bool]] = field(default_factory=dict)
    push_type: str | None = None
    seller_end: Callable[[dict[str, Any], int], None] | None = None
    seller_delete: Callable[[dict[int, dict[str, Any]], int, int], None] | None = None

    def path(self, api: str) -> str:
        return f"/api/v2/{self.name}/{api}"

    def error(self, code: str, message: str) -> wire.ShopeeError:
        return wire.ShopeeError(code, message, response=copy.copy(self.error_response))

    def param_error(self, detail: str) -> wire.ShopeeError:
        return self.error(self.param_code, self.param_template.format(detail))


def time_status(record: dict[str, Any], now: int) -> str:
    if now < record["start_time"]:
        return UPCOMING
    if now < record["end_time"]:
        return ONGOING
    return EXPIRED


def ok(response: Any) -> wire.Answer:
    return wire.Answer.json(wire.envelope(response=response))


# -- parameters ------------------------------------------------------------------------------
def body(req: wire.Request, kind: Kind) -> dict[str, Any]:
    """The POST body as a JSON object, else the module's parameter error."""
    try:
        parsed = json.loads(req.raw_body or b"")
    except (ValueError, RecursionError):
        raise kind.param_error("the request body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise kind.param_error("the request body must be a JSON object")
    return parsed


def body_int(
    source: dict[str, Any], name: str, kind: Kind, *, default: Any = REQUIRED, low: int = 0
) -> Any:
    """A JSON integer >= ``low`` (strings and booleans refused); missing/null -> ``default``."""
    value = source.get(name)
    if value is None:
        if default is REQUIRED:
            raise kind.param_error(f"there is no {name} in body")
        return default
    number = None if isinstance(value, str | float) else parse_int(value)
    if number is None or number < low:
        raise kind.param_error(f"{name} must be an integer >= {low}, got {value!r}")
    return number


def body_text(source: dict[str, Any], name: str, kind: Kind) -> str | None:
    value = source.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise kind.param_error(f"{name} must be a string, got {value!r}")
    return value


def body_number(source: dict[str, Any], name: str, kind: Kind) -> float | int | None:
    value = source.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise kind.param_error(f"{name} must be a number >= 0, got {value!r}")
    return value


def query_int(
    query: dict[str, str],
    name: str,
    kind: Kind,
    *,
    default: Any = REQUIRED,
    low: int | None = None,
    high: int | None = None,
    error: wire.ShopeeError | None = None,
) -> Any:
    """An integer query parameter; missing or empty -> ``default`` (or the missing error).

    Not an integer, or outside [low, high] -> ``error`` when given, else the module's
    parameter error naming the range.
    """
    raw = query.get(name, "")
    if raw == "":
        if default is REQUIRED:
            raise error or kind.param_error(f"there is no {name} in query")
        return default
    value = parse_int(raw)
    bad = value is None or (low is not None and value < low) or (high is not None and value > high)
    if bad:
        if error is not None:
            raise error
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise kind.param_error(f"{name} must be an integer {bounds}, got {raw!r}")
    return value


def status_filter(query: dict[str, str], name: str, kind: Kind, *, error=None) -> str:
    """A required string status filter: upcoming, ongoing, expired or all."""
    value = query.get(name, "")
    if value not in STATUS_FILTERS:
        if error is not None:
            raise error
        if value == "":
            raise kind.param_error(f"there is no {name} in query")
        raise kind.param_error(f"{name} must be one of {', '.join(STATUS_FILTERS)}")
    return value


# -- records ---------------------------------------------------------------------------------
def shop_records(state: SandboxState, kind: Kind, shop_id: int) -> dict[int, dict[str, Any]]:
    return state.promotions.setdefault(kind.name, {}).setdefault(shop_id, {})


def find(state: SandboxState, kind: Kind, shop_id: int, promotion_id: int) -> dict[str, Any]:
    record = state.promotions.get(kind.name, {}).get(shop_id, {}).get(promotion_id)
    if record is None:
        raise kind.error(*kind.not_found)
    return record


def target(
    state: SandboxState,
    req: wire.Request,
    kind: Kind,
    guard: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A write call's common start: authenticate, read the body's id, find the record, run the
    kind's Shopee-created ``guard``; (shop_id, body, record)."""
    caller = authenticate_shop(state, req)
    payload = body(req, kind)
    record = find(state, kind, caller.shop_id, body_int(payload, kind.id_field, kind))
    if guard is not None:
        guard(record)
    return caller.shop_id, payload, record


def listed(
    state: SandboxState, kind: Kind, shop_id: int, wanted: str | None
) -> list[dict[str, Any]]:
    """The shop's records in id order whose time status is ``wanted`` (None or "all": every)."""
    now = state.now()
    records = state.promotions.get(kind.name, {}).get(shop_id, {})
    return [
        record
        for _, record in sorted(records.items())
        if wanted in (None, "all") or time_status(record, now) == wanted
    ]


def page(items: list[Any], page_no: int, page_size: int) -> tuple[list[Any], bool]:
    """Page ``page_no`` (from 1) of ``page_size`` items, and whether more follow."""
    start = (page_no - 1) * page_size
    return items[start : start + page_size], start + page_size < len(items)


def record_with_defaults(
    kind: Kind, entry: dict[str, Any], *, where: str, now: int
) -> dict[str, Any]:
    """One stored record (without ``shop_id``): defaults filled in, validated."""
    promotion_id = fields.integer(entry, kind.id_field, where)
    record = {k: copy.deepcopy(v) for k, v in entry.items() if k != "shop_id"}
    for name, default in kind.defaults(promotion_id, now).items():
        record.setdefault(name, default)
        if name not in ("start_time", "end_time"):  # integers, checked below
            _same_type(record[name], default, f"{where}: {name}")
    record.setdefault("update_time", now)
    start_time = fields.integer(record, "start_time", where)
    if fields.integer(record, "end_time", where) < start_time:
        raise DocumentError(f"{where}: end_time is before start_time")
    record["shopee_created"] = fields.boolean(record, "shopee_created", where)
    fields.integer(record, "update_time", where)
    kind.check(record, where)
    return record


def _same_type(value: Any, default: Any, what: str) -> None:
    """A field keeps its default's type (numbers: any JSON number), so the answers never break."""
    if isinstance(default, bool):
        expected: tuple[type, ...] = (bool,)
    elif isinstance(default, int | float):
        expected = (int, float)
    else:
        expected = (type(default),)
    if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in expected)
        raise DocumentError(f"{what} must be of type {names}, got {value!r}")


def one_of(record: dict[str, Any], name: str, allowed: tuple[Any, ...], where: str) -> None:
    value = record.get(name)
    if isinstance(value, bool) or value not in allowed:
        raise DocumentError(f"{where}: {name} must be one of {list(allowed)}, got {value!r}")


def end_now(record: dict[str, Any], now: int) -> None:
    """Seller Centre's "end": it stops now (an upcoming one never starts)."""
    record["start_time"] = min(record["start_time"], now)
    record["end_time"] = now
    record["update_time"] = now


def remove(records: dict[int, dict[str, Any]], promotion_id: int, now: int) -> None:
    """Seller Centre's "delete": the record is gone."""
    del records[promotion_id]
