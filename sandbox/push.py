"""Push (Shopee calling the partner): records, bodies, signatures and delivery.

Wire format of one push: ``POST <push_url>`` with headers ``Content-Type: application/json``
and ``Authorization: <lowercase hex HMAC-SHA256, keyed with the partner_key's text, over
push_url + "|" + raw_body>`` (:func:`sandbox.signing.push_signature`). Bodies (``timestamp`` is
sandbox time when the push is created; keys in this order)::

    code 0 (verification, sent when a push URL is set):
        {"code": 0, "timestamp": T, "data": {"verify_info": "<random text>"}}
    code 1 (authorized) / 2 (authorization cancelled):
        {"code": 1, "shop_id": S, "timestamp": T,            # shop_id: the shop; omitted for a
         "data": {"shop_id_list": [...], "merchant_id_list": [...],   # main account
                  "main_account_id": M,                       # only for a main account
                  "success": 1, "extra": "shop_id S is authorized successfully"}}
    code 12 (authorization expires soon):
        {"code": 12, "timestamp": T, "data": {"shop_expire_soon": [...],
         "merchant_expire_soon": [...], "expire_before": <unix>, "page_no": 1, "total_page": 1}}

``extra`` reads "shop_id S is authorized successfully" (Shopee's example), "main_account_id M is
authorized successfully", "shop_id S authorization is cancelled", "main_account_id M
authorization is cancelled" (ours).

Every push gets the next ``message_id`` (1, 2, ... after a reset; not in the body) and a record
(``GET /_sandbox/pushes``, :meth:`Push.view`). Delivery: one POST with a 5 s socket timeout,
redirects not followed, made WITHOUT the state lock; a 2xx answer = delivered, anything else
(refused connection, timeout, non-2xx) = lost, and so is every push while no push URL is set
(``url`` and ``authorization`` are then null). A record is ``pending`` until its attempt ends;
``lost_at`` is the sandbox time its attempt failed (its making, without a URL). Lost pushes are
what ``get_lost_push_message`` serves (:mod:`sandbox.partner_api`), in Shopee's shape: the entry's
``data`` is the whole raw body above, and codes 1, 2 and 12 (partner-level pushes,
``PARTNER_LEVEL_CODES``) carry no ``shop_id`` in the entry even when their body has one.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.signing import push_signature

if TYPE_CHECKING:
    from sandbox.state import SandboxState

PUSH_TIMEOUT = 5.0
NO_PUSH_URL = "no push URL is set"  # the error of a push made while none is configured
STOPPED = "the sandbox stopped before delivering it"
PARTNER_LEVEL_CODES = frozenset({1, 2, 12})  # lost-push entries of these carry no shop_id


@dataclass
class Push:
    """One push and what became of it."""

    message_id: int
    partner_id: int
    code: int
    shop_id: int | None
    url: str | None
    body: str  # the raw body text, exactly as sent
    authorization: str | None
    time: int  # sandbox time when it was made (the body's timestamp)
    pending: bool = True
    delivered: bool = False
    status: int | None = None  # the receiver's HTTP status, None when there was none
    error: str | None = None
    consumed: bool = False  # confirmed by confirm_consumed_lost_push_message
    lost_at: int | None = None  # sandbox time the attempt failed (None: not lost, or unknown)

    @property
    def lost(self) -> bool:
        return not self.pending and not self.delivered

    def view(self) -> dict[str, Any]:
        return asdict(self)


def new_push(
    state: SandboxState,
    *,
    partner_id: int,
    code: int,
    data: Any,
    shop_id: int | None = None,
) -> Push:
    """Record a push for ``partner_id`` (state lock held); deliver it later without the lock."""
    now = state.now()
    body: dict[str, Any] = {"code": code}
    if shop_id is not None:
        body["shop_id"] = shop_id
    body |= {"timestamp": now, "data": data}
    raw = json.dumps(body)
    url = state.push_url
    push = Push(
        message_id=state.next_message_id,
        partner_id=partner_id,
        code=code,
        shop_id=shop_id,
        url=url,
        body=raw,
        authorization=(
            push_signature(state.partners[partner_id], url, raw.encode()) if url else None
        ),
        time=now,
    )
    if url is None:
        push.pending, push.error, push.lost_at = False, NO_PUSH_URL, now
    state.next_message_id += 1
    state.pushes.append(push)
    return push


def authorization_data(
    *,
    code: int,
    shop_ids: list[int],
    merchant_ids: list[int],
    main_account_id: int | None = None,
) -> dict[str, Any]:
    """The ``data`` of a code 1 (authorized) or code 2 (cancelled) push."""
    data: dict[str, Any] = {"shop_id_list": shop_ids, "merchant_id_list": merchant_ids}
    if main_account_id is not None:
        data["main_account_id"] = main_account_id
        who = f"main_account_id {main_account_id}"
    else:
        who = f"shop_id {shop_ids[0]}"
    extra = (
        f"{who} is authorized successfully" if code == 1 else f"{who} authorization is cancelled"
    )
    return data | {"success": 1, "extra": extra}


def expiry_data(*, shop_ids: list[int], merchant_ids: list[int], expire_before: int) -> dict:
    """The ``data`` of a code 12 push (authorizations that end by ``expire_before``)."""
    return {
        "shop_expire_soon": shop_ids,
        "merchant_expire_soon": merchant_ids,
        "expire_before": expire_before,
        "page_no": 1,
        "total_page": 1,
    }


def verification_data() -> dict[str, Any]:
    """The ``data`` of the code 0 push sent when a push URL is set."""
    return {"verify_info": f"sandbox verification {secrets.token_hex(8)}"}


def post(url: str, body: bytes, authorization: str) -> tuple[int | None, str | None]:
    """POST one push; (HTTP status or None, error text or None when delivered)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json", "Authorization": authorization}
    connection = connection_class(parts.hostname or "", parts.port, timeout=PUSH_TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, None
    return response.status, f"HTTP {response.status}"


def deliver(state: SandboxState, pushes: list[Push], persist: Callable[[], None]) -> None:
    """Attempt each pending push, never holding the state lock across the HTTP call.

    The caller must NOT hold the lock. Each outcome is recorded under the lock and saved.
    """
    for push in pushes:
        with state.lock:
            if not push.pending or push.url is None or push.authorization is None:
                continue
            target = (push.url, push.body.encode(), push.authorization)
        status, error = post(*target)
        with state.lock:
            push.pending = False
            push.status, push.error, push.delivered = status, error, error is None
            if error is not None:
                push.lost_at = state.now()
            persist()


def deliver_in_background(
    state: SandboxState, pushes: list[Push], persist: Callable[[], None]
) -> None:
    """Deliver ``pushes`` from a daemon thread (Shopee pushes asynchronously)."""
    if pushes:
        threading.Thread(
            target=deliver, args=(state, pushes, persist), name="shopee-sandbox-push", daemon=True
        ).start()
