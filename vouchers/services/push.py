"""Shopee's pushes: verify each one, log every one, apply each message once.

A push is Shopee POSTing JSON to our registered URL with an ``Authorization`` header (see
`vouchers.shopee.signing.push_signature`). What it means for us:

- code 0: the verification Shopee sends when the URL is registered; answered, nothing else;
- code 1: shops (or a main account's shops) authorized our app; their tokens arrive through the
  connect callback, so a push only records when;
- code 2: the seller cancelled the authorization of the shops and merchants listed: each of ours
  is flagged as needing re-authorization (its vouchers are skipped);
- code 12: the authorization of the shops and merchants listed ends within 7 days: flagged as
  expiring, with the end Shopee gives;
- any other code: logged and ignored.

Every push received, valid or not, becomes one `ShopeePush` row, written by `_log()` only. A
push that is not signed with our partner key changes nothing else. The same message (code,
shop, timestamp and data) is applied once, whether it came pushed, pushed again, or fetched by
`lost_pushes_apply()` after we missed it. A cancellation or expiry notice older than the shop's
latest authorization is stale and ignored.
"""

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vouchers.models import Shop, ShopeePush
from vouchers.models.push import PushOutcome, PushSource
from vouchers.parsing import UNIX_TIME_MAX, NumberError, parse_int, parse_unix_time
from vouchers.services.audit import shopee_call
from vouchers.services.shops import shop_mark_needs_reauth
from vouchers.shopee import api
from vouchers.shopee.client import ShopeeClient
from vouchers.shopee.config import load_config
from vouchers.shopee.errors import ShopeeConfigError
from vouchers.shopee.redaction import redact
from vouchers.shopee.signing import push_signature, signature_matches

EXCERPT_CHARS = 2000
MAX_DEPTH = 32  # Shopee's pushes nest two or three levels
LOST_PUSH_MAX_PAGES = 100
CODE_VERIFY, CODE_AUTHORIZED, CODE_CANCELLED, CODE_EXPIRING = 0, 1, 2, 12


@dataclass(frozen=True)
class PushReply:
    """What to answer Shopee: 2xx with an empty body when taken, else a short plain text."""

    status: int
    text: str = ""


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


class PushMalformed(ValueError):
    """The body is not a push message; the text says what is wrong."""


def push_receive(
    *, body: bytes, authorization: str, callback_url: str, remote_addr: str | None = None
) -> PushReply:
    """Take one push as received at `callback_url` (the URL registered with Shopee)."""
    context = {"remote_addr": remote_addr, "source": PushSource.PUSH}
    try:
        config = load_config()
    except ShopeeConfigError as error:
        detail = f"Not taken: {error.message}"
        _log(
            **context, **_raw(body), outcome=PushOutcome.UNAVAILABLE, http_status=503, detail=detail
        )
        return PushReply(503, "Shopee pushes are not configured on this server.")
    expected = push_signature(partner_key=config.partner_key, callback_url=callback_url, body=body)
    given = (authorization or "").strip()
    if not given or not signature_matches(expected, given):
        why = "has no Authorization header" if not given else "has a wrong signature"
        detail = f"Refused: the push {why} for {callback_url}; nothing was changed."
        _log(**context, **_raw(body), outcome=PushOutcome.REFUSED, http_status=401, detail=detail)
        return PushReply(401, "Invalid push signature.")
    context["signature_valid"] = True
    try:
        parsed = _json(body)
        message = _message(parsed)
    except PushMalformed as error:
        detail = f"Not applied: {error}"
        _log(**context, **_raw(body), outcome=PushOutcome.MALFORMED, http_status=400, detail=detail)
        return PushReply(400, f"Malformed push: {error}")
    push_apply(message, body=parsed, http_status=200, **context)
    return PushReply(200)


def push_too_large(*, remote_addr: str | None = None) -> PushReply:
    """A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE: logged, nothing else read or changed."""
    _log(
        source=PushSource.PUSH,
        remote_addr=remote_addr,
        outcome=PushOutcome.MALFORMED,
        http_status=413,
        detail="Not applied: the body is larger than this server accepts.",
    )
    return PushReply(413, "Push body too large.")


def push_apply(message: PushMessage, *, body, **context) -> ShopeePush:
    """Apply `message` unless it was applied before, and log it (one short transaction)."""
    with transaction.atomic():
        seen = ShopeePush.objects.filter(
            fingerprint=message.fingerprint, signature_valid=True
        ).exclude(outcome__in=[PushOutcome.MALFORMED, PushOutcome.DUPLICATE])
        if seen.exists():
            outcome, detail = PushOutcome.DUPLICATE, "Already received: not applied again."
        else:
            outcome, detail = _effects(message)
        return _log(
            **context,
            body=redact(body),
            code=message.code,
            shop_shopee_id=message.shop_id,
            pushed_at=message.pushed_at,
            fingerprint=message.fingerprint,
            outcome=outcome,
            detail=detail,
        )


@dataclass
class LostPushReport:
    fetched: int = 0
    applied: int = 0
    duplicates: int = 0


def lost_pushes_apply(*, client: ShopeeClient, actor_label: str = "maintenance") -> LostPushReport:
    """Fetch the pushes Shopee could not deliver (last 3 days), apply each once, acknowledge.

    Each batch is acknowledged after it is logged, so a crash in between re-fetches it and the
    fingerprints keep it from being applied twice.
    """
    report = LostPushReport()
    for _ in range(LOST_PUSH_MAX_PAGES):
        answer = shopee_call(
            client=client, api=api.get_lost_push_message(), actor_label=actor_label
        )
        payload = answer.response or {}
        items = payload.get("push_message_list") or []
        for item in items:
            report.fetched += 1
            row = _lost_push_row(item)
            report.applied += row.outcome == PushOutcome.APPLIED
            report.duplicates += row.outcome == PushOutcome.DUPLICATE
        if items:
            last = parse_int(payload.get("last_message_id"), label="last_message_id")
            shopee_call(
                client=client,
                api=api.confirm_consumed_lost_push_message(last_message_id=last),
                actor_label=actor_label,
            )
        if not items or not payload.get("has_next_page"):
            break
    return report


def _lost_push_row(item) -> ShopeePush:
    context = {"source": PushSource.LOST, "signature_valid": True}
    try:
        if not isinstance(item, dict):
            raise PushMalformed("a lost push must be a JSON object")
        data = item.get("data")
        if isinstance(data, str):
            data = _json(data.encode())
        message = _message({**item, "data": data})
    except PushMalformed as error:
        body = item if isinstance(item, dict) else {"item": str(item)[:EXCERPT_CHARS]}
        detail = f"Not applied: {error}"
        return _log(**context, body=redact(body), outcome=PushOutcome.MALFORMED, detail=detail)
    body = {
        "code": message.code,
        "shop_id": message.shop_id,
        "timestamp": message.timestamp,
        "data": message.data,
    }
    return push_apply(message, body=body, **context)


def _effects(message: PushMessage) -> tuple[str, str]:
    if message.code == CODE_VERIFY:
        return PushOutcome.VERIFICATION, "Shopee's verification push: answered."
    if message.code not in (CODE_AUTHORIZED, CODE_CANCELLED, CODE_EXPIRING):
        return PushOutcome.IGNORED, f"Push code {message.code} is not used by shopadmin."
    shop_ids, merchant_ids = _listed(message)
    shops = list(Shop.objects.filter(Q(shop_id__in=shop_ids) | Q(merchant_id__in=merchant_ids)))
    listed = ", ".join(str(i) for i in sorted(shop_ids)) or "none"
    if not shops:
        return PushOutcome.IGNORED, f"No shop of ours is concerned (shops listed: {listed})."
    current = [shop for shop in shops if not _stale(shop, message)]
    stale = [shop for shop in shops if shop not in current]
    names = ", ".join(str(shop) for shop in current) or "none"
    notes = f" Ignored as older than their latest authorization: {_names(stale)}." if stale else ""
    if message.code == CODE_AUTHORIZED:
        Shop.objects.filter(pk__in=[s.pk for s in current]).update(
            authorization_expiry_notice_at=None
        )
        return PushOutcome.APPLIED, f"Shopee reports authorized: {names}.{notes}"
    if message.code == CODE_CANCELLED:
        when = message.pushed_at or timezone.now()
        for shop in current:
            shop_mark_needs_reauth(
                shop=shop,
                reason="the seller cancelled the authorization "
                f"(Shopee push of {when:%Y-%m-%d %H:%M} UTC)",
            )
        detail = f"Authorization cancelled, flagged for re-authorization: {names}.{notes}"
        return PushOutcome.APPLIED, detail
    fields = {"authorization_expiry_notice_at": timezone.now()}
    ends = _unix(message.data.get("expire_before"))
    if ends is not None:
        fields["authorization_expires_at"] = ends
    Shop.objects.filter(pk__in=[s.pk for s in current]).update(**fields)
    until = f" (ends by {ends:%Y-%m-%d %H:%M} UTC)" if ends else ""
    return PushOutcome.APPLIED, f"Authorization ends within 7 days{until}: {names}.{notes}"


def _listed(message: PushMessage) -> tuple[set[int], set[int]]:
    data = message.data
    shop_ids = _ids(data.get("shop_id_list")) | _ids(data.get("shop_expire_soon"))
    shop_ids |= _ids([data.get("shop_id"), message.shop_id])
    merchant_ids = _ids(data.get("merchant_id_list")) | _ids(data.get("merchant_expire_soon"))
    merchant_ids |= _ids([data.get("merchant_id")])
    return shop_ids, merchant_ids


def _stale(shop: Shop, message: PushMessage) -> bool:
    pushed = message.pushed_at
    return pushed is not None and shop.authorized_at is not None and shop.authorized_at > pushed


def _ids(values) -> set[int]:
    if not isinstance(values, list):
        return set()
    ids = set()
    for value in values:
        try:
            ids.add(parse_int(value, minimum=1))
        except NumberError:
            continue
    return ids


def _names(shops) -> str:
    return ", ".join(str(shop) for shop in shops)


def _unix(value):
    try:
        return parse_unix_time(value)
    except NumberError:
        return None


def _json(body: bytes):
    """Strict JSON: no NaN or Infinity (nor numbers that overflow to it), no nesting past what
    Python can read; anything else is PushMalformed."""
    try:
        value = json.loads(body, parse_constant=_not_a_number, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise PushMalformed(f"the body is not JSON ({str(error)[:200]})") from None
    if _depth(value) > MAX_DEPTH:
        raise PushMalformed(f"the body is nested more than {MAX_DEPTH} levels deep")
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


def _message(body) -> PushMessage:
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


def _raw(body: bytes) -> dict:
    """What to keep of a body we do not apply: its JSON (secrets removed) or an excerpt."""
    try:
        return {"body": redact(_json(body))} if len(body) <= 65536 else _excerpt(body)
    except PushMalformed:
        return _excerpt(body)


def _excerpt(body: bytes) -> dict:
    return {"body_excerpt": body[:EXCERPT_CHARS].decode("utf-8", errors="replace")}


def _storable(value):
    """`value` without NUL characters, which PostgreSQL's text and jsonb refuse."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def _log(**fields) -> ShopeePush:
    """The one writer of the push log."""
    return ShopeePush.objects.create(**_storable(fields))
