"""Reading a push message: strict JSON, Shopee's fields, and a lost push's entry.

A push message is ``{"code": int, "shop_id": int (shop-level pushes), "timestamp": int,
"data": {...}}``. Its fingerprint (code, shop, timestamp, data) is what makes a message applied
once however it reaches us: pushed, pushed again, or fetched as lost, because a lost entry's
``data`` is the very message that was (or would have been) POSTed.
"""

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass

from core.parsing import UNIX_TIME_MAX, NumberError, parse_int

MAX_DEPTH = 32  # Shopee's pushes nest two or three levels
CODE_VERIFY, CODE_AUTHORIZED, CODE_CANCELLED, CODE_EXPIRING = 0, 1, 2, 12


class PushMalformed(ValueError):
    """The body is not a push message; the text says what is wrong."""


@dataclass(frozen=True)
class PushMessage:
    code: int
    shop_id: int | None
    timestamp: int | None
    data: dict

    @property
    def fingerprint(self) -> str:
        canonical = json.dumps(
            [self.code, self.shop_id, self.timestamp, self.data],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def pushed_at(self):
        if self.timestamp is None:
            return None
        return dt.datetime.fromtimestamp(self.timestamp, tz=dt.UTC)


def push_json(body: bytes | str):
    """Strict JSON: no NaN or Infinity (nor numbers that overflow to it), no nesting past what
    Python can read; anything else is PushMalformed."""
    try:
        value = json.loads(body, parse_constant=_not_a_number, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise PushMalformed(f"the body is not JSON ({str(error)[:200]})") from None
    if _depth(value) > MAX_DEPTH:
        raise PushMalformed(f"the body is nested more than {MAX_DEPTH} levels deep")
    return value


def push_message(body) -> PushMessage:
    """The message a push's parsed JSON body holds."""
    if not isinstance(body, dict):
        raise PushMalformed("the body must be a JSON object")
    try:
        code = parse_int(body.get("code"), label="code")
        shop_id = body.get("shop_id")
        shop_id = None if shop_id in (None, 0) else parse_int(shop_id, label="shop_id")
        timestamp = body.get("timestamp")
        if timestamp is not None:
            timestamp = parse_int(timestamp, label="timestamp", maximum=UNIX_TIME_MAX)
    except NumberError as error:
        raise PushMalformed(str(error)) from None
    data = body.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PushMalformed("data must be a JSON object")
    return PushMessage(code=code, shop_id=shop_id, timestamp=timestamp, data=data)


def lost_entry_message(entry) -> tuple[PushMessage, dict]:
    """The message one ``get_lost_push_message`` entry holds, and that message's parsed JSON.

    Shopee's entry (shopee-api.md section 7) is ``{"code", "shop_id", "timestamp", "data"}``
    where ``data`` is a JSON *string* holding the whole push message as it would have been
    POSTed, ``shop_id`` is absent for the partner-level codes 1, 2 and 12, and ``timestamp`` is
    when the push was lost. So everything is read from the parsed message (its ids are in its
    own ``data``); the entry's ``timestamp`` is not the message's and is not used, which keeps
    the fingerprint equal to that of the same message pushed. The entry's ``code`` must match
    the message's. Anything else (``data`` an object, not JSON, not a push message) is
    PushMalformed.
    """
    if not isinstance(entry, dict):
        raise PushMalformed("a lost push entry must be a JSON object")
    text = entry.get("data")
    if not isinstance(text, str):
        raise PushMalformed("a lost push's data must be the whole push message as JSON text")
    whole = push_json(text)
    message = push_message(whole)
    try:
        code = parse_int(entry.get("code"), label="code")
    except NumberError as error:
        raise PushMalformed(f"the entry's {error}") from None
    if code != message.code:
        raise PushMalformed(f"the entry's code {code} is not its message's ({message.code})")
    return message, whole


def storable(value):
    """`value` without NUL characters, which PostgreSQL's text and jsonb refuse."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _depth(value) -> int:
    """How deeply `value` nests lists and objects (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _not_a_number(name):
    raise ValueError(f"{name} is not a JSON number")


def _finite(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is out of range")
    return number
