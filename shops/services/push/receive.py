"""Taking one push at `/shopee/push/`: verify, then apply it, or reject it cheaply.

Anyone can POST to the push URL, so what we keep of a push we refuse must not grow with what
was sent: `push_reject()` (the one writer of `RejectedPush`) keeps the time, the source address,
the body's size, SHA-256 and first 64 bytes, and why; never the body itself, nor the
`Authorization` header. A rejected row costs a few hundred bytes whatever the body, and
`manage.py prune` deletes rows older than `PUSH_REJECTED_RETENTION_DAYS`.
"""

import hashlib
from dataclasses import dataclass

from audit.models.pushes import (
    REJECTED_DETAIL_CHARS,
    REJECTED_PREFIX_BYTES,
    PushSource,
    RejectedPush,
    RejectReason,
)
from shopee.config import load_config
from shopee.errors import ShopeeConfigError
from shopee.signing import push_signature, signature_matches
from shops.services.push.apply import push_apply
from shops.services.push.message import PushMalformed, push_json, push_message, storable

BODY_SIZE_MAX = 2**31 - 1  # what RejectedPush.body_size holds on every database


@dataclass(frozen=True)
class PushReply:
    """What to answer Shopee: 2xx with an empty body when taken, else a short plain text."""

    status: int
    text: str = ""


def push_receive(
    *, body: bytes, authorization: str, callback_url: str, remote_addr: str | None = None
) -> PushReply:
    """Take one push as received at `callback_url` (the URL registered with Shopee).

    Signed with our partner key and readable: applied once and logged in the push log (200).
    Otherwise rejected, changing nothing but one `RejectedPush` row: 503 without Shopee
    settings, 401 for a missing or wrong signature, 400 for a signed body that is not a push.
    """
    reject = {"body": body, "remote_addr": remote_addr}
    try:
        config = load_config()
    except ShopeeConfigError as error:
        detail = f"Not taken: {error.message}"
        push_reject(**reject, reason=RejectReason.UNAVAILABLE, http_status=503, detail=detail)
        return PushReply(503, "Shopee pushes are not configured on this server.")
    expected = push_signature(partner_key=config.partner_key, callback_url=callback_url, body=body)
    given = (authorization or "").strip()
    if not given or not signature_matches(expected, given):
        detail = "No Authorization header." if not given else "Wrong signature."
        push_reject(**reject, reason=RejectReason.SIGNATURE, http_status=401, detail=detail)
        return PushReply(401, "Invalid push signature.")
    try:
        parsed = push_json(body)
        message = push_message(parsed)
    except PushMalformed as error:
        detail = f"Signed, but not a push message: {error}"
        push_reject(**reject, reason=RejectReason.MALFORMED, http_status=400, detail=detail)
        return PushReply(400, f"Malformed push: {error}")
    push_apply(
        message,
        body=parsed,
        http_status=200,
        source=PushSource.PUSH,
        remote_addr=remote_addr,
        signature_valid=True,
    )
    return PushReply(200)


def push_too_large(
    *, content_length: str | None = None, remote_addr: str | None = None
) -> PushReply:
    """A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE: rejected unread (the size its
    Content-Length announced kept, when it is a number we can store), nothing else changed."""
    announced = (content_length or "").strip()
    size = None
    if announced.isascii() and announced.isdigit() and len(announced) <= 10:
        size = int(announced) if int(announced) <= BODY_SIZE_MAX else None
    push_reject(
        body=None,
        size=size,
        remote_addr=remote_addr,
        reason=RejectReason.TOO_LARGE,
        http_status=413,
        detail="The body is larger than this server accepts.",
    )
    return PushReply(413, "Push body too large.")


def push_reject(
    *,
    body: bytes | None,
    remote_addr: str | None,
    reason: str,
    http_status: int,
    detail: str,
    size: int | None = None,
) -> RejectedPush:
    """Record a refused push: its size, hash and prefix, never its body (`body` None: unread,
    `size` as announced)."""
    fields = {"body_size": size}
    if body is not None:
        prefix = body[:REJECTED_PREFIX_BYTES].decode("utf-8", errors="replace")
        fields = {
            "body_size": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_prefix": storable(prefix),
        }
    return RejectedPush.objects.create(
        remote_addr=remote_addr,
        reason=reason,
        http_status=http_status,
        detail=storable(detail)[:REJECTED_DETAIL_CHARS],
        **fields,
    )
