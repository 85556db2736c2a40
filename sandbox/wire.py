"""What travels on the wire: parsed requests, answers to send, Shopee's error envelope.

Every Shopee-side answer is JSON carrying a fresh 32-hex ``request_id``. Errors are raised as
:class:`ShopeeError` anywhere below the router and turned into an envelope in one place
(:meth:`ShopeeError.answer`):

* shop APIs: ``{"request_id", "error", "message"}`` plus ``"response"`` when the error carries
  one (voucher business errors carry ``""``, as Shopee's ``common.error_not_found`` does);
* auth APIs, ``shop/get_shop_info`` and ``public/get_shops_by_partner`` put their fields at the
  top level, so their errors have no ``response`` either.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

_ABSENT: Any = object()

# Messages Shopee prints (the seed's end_voucher page and shopee-api.md) and the sandbox's own
# wording where Shopee publishes none (marked "ours").
PERMISSION_DENIED_PATH = (
    "Permission denied. This API is currently offline or the request path is incorrect."
)
TIMESTAMP_EXPIRED = "Timestamp is expired."
INVALID_TIMESTAMP = "Invalid timestamp"
INVALID_PARTNER_ID = "Invalid partner_id."
INVALID_ACCESS_TOKEN = "Invalid access_token."  # noqa: S105 (a message, not a secret)
INVALID_PARTNER_OR_SHOP = "Invalid partner_id or shopid."
INVALID_SHOP_ID = "Invalid shop_id."  # ours
INVALID_REFRESH_TOKEN = "Invalid refresh_token."  # noqa: S105 (ours; a message)
INVALID_CODE = "Invalid code"
INVALID_MAIN_ACCOUNT = (  # Shopee's page for token/get, typos included
    "The code or main_accoount_id is wrong, please check the code or the main_account_id."
)
INVALID_PARTNER_OR_MERCHANT = "Invalid partner_id or merchant_id."  # ours, like the shop one
AUTHORIZATION_CANCELLED = "The shop's authorization to the partner was cancelled."  # ours
MERCHANT_AUTHORIZATION_CANCELLED = (  # ours
    "The merchant's authorization to the partner was cancelled."
)
MERCHANT_AUTHORIZATION_EXPIRED = "The merchant's authorization to the partner has expired."  # ours
INVALID_LAST_MESSAGE_ID = "Invalid last_message_id."  # ours
SHOP_BANNED = "The shop is banned."  # ours
AUTHORIZATION_EXPIRED = "The shop's authorization to the partner has expired."  # ours
WRONG_SIGN = "Wrong sign."
RATE_LIMITED = "Too many requests, please try again later."
NOT_FOUND = "The information you queried is not found."
END_STATUS_ERROR = "Can only end the ongoing voucher."
END_EXPIRED_ERROR = "Cannot update status for expired voucher."
DELETE_STATUS_ERROR = "Can only delete the upcoming voucher."  # ours
PERMISSION_ERROR = (
    "The Voucher created in Shopee admin/Shop Game/Follow Prize/Member ship/Voucher campaign "
    "can't be updated"
)


def missing_in_query(name: str) -> str:
    """Shopee's wording for a missing query parameter: ``There is no sign in query.``."""
    return f"There is no {name} in query."


def new_request_id() -> str:
    """A fresh request id: 32 lowercase hex characters, like Shopee's."""
    return secrets.token_hex(16)


@dataclass
class Request:
    """One HTTP request as the handlers see it; ``query`` keeps the first value of each name."""

    method: str
    path: str
    query: dict[str, str]
    raw_body: bytes = b""

    def body_text(self) -> str:
        return self.raw_body.decode("utf-8", errors="replace")

    def body_for_log(self) -> Any:
        """The body as the calls log shows it: parsed JSON, else raw text, else None."""
        if not self.raw_body:
            return None
        try:
            return json.loads(self.raw_body)
        except (ValueError, RecursionError):
            return self.body_text()


@dataclass
class Answer:
    """What to send back. ``action`` is None (answer normally), ``"drop"`` or ``"hang"``."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None
    hang_seconds: float = 0.0
    request_id: str | None = None
    payload: Any = None  # what the calls log records as "response"
    pushes: list[Any] = field(default_factory=list)  # sandbox.push.Push to deliver once sent

    @classmethod
    def json(cls, payload: Any, *, status: int = 200) -> Answer:
        request_id = payload.get("request_id") if isinstance(payload, dict) else None
        body = json.dumps(payload).encode()
        return cls(status=status, body=body, request_id=request_id, payload=payload)

    @classmethod
    def text(cls, text: str, *, status: int = 200, content_type: str = "text/plain") -> Answer:
        ctype = f"{content_type}; charset=utf-8" if "charset" not in content_type else content_type
        return cls(status=status, body=text.encode(), content_type=ctype, payload=text)

    @classmethod
    def redirect(cls, location: str) -> Answer:
        answer = cls.text(f"Redirecting to {location}\n", status=302)
        answer.headers["Location"] = location
        return answer


def envelope(error: str = "", message: str = "", response: Any = _ABSENT) -> dict[str, Any]:
    """A Shopee envelope with a fresh request_id; ``response`` only when given."""
    payload: dict[str, Any] = {"request_id": new_request_id(), "error": error, "message": message}
    if response is not _ABSENT:
        payload["response"] = response
    return payload


class ShopeeError(Exception):
    """A refusal in Shopee's terms: ``error`` code, ``message``, HTTP status (200 by default)."""

    def __init__(
        self, error: str, message: str, *, status: int = 200, response: Any = _ABSENT
    ) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
        self.status = status
        self.response = response

    def answer(self) -> Answer:
        return Answer.json(envelope(self.error, self.message, self.response), status=self.status)


def param_error(message: str) -> ShopeeError:
    return ShopeeError("error_param", message)


def auth_error(message: str) -> ShopeeError:
    return ShopeeError("error_auth", message)
