"""What every control action shares: its refusal, its body, and answers that wait for pushes.

A refusal is HTTP 400 (malformed body) or 404 (unknown shop, main account, ...) with
``{"ok": false, "error": "<what is wrong>"}``. An action that sends pushes returns a
:class:`Delivery`: the router delivers them after releasing the state lock, then answers the
payload with each push's record under its key (e.g. ``{"ok": true, "push": {...}}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox import wire
from sandbox.accounts import MainAccount
from sandbox.documents import Shop
from sandbox.push import Push
from sandbox.state import SandboxState


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Delivery:
    """A control answer that waits for its pushes to be attempted (without the state lock)."""

    payload: dict[str, Any]
    pushes: dict[str, Push | None] = field(default_factory=dict)  # answer key -> push

    def answer(self) -> dict[str, Any]:
        """The payload plus each push's record, as it stands after delivery (lock held)."""
        records = {key: (p.view() if p is not None else None) for key, p in self.pushes.items()}
        return self.payload | records


def read_body(req: wire.Request) -> dict[str, Any]:
    """The JSON object body (an empty body is ``{}``); else a 400 refusal."""
    try:
        body = json.loads(req.raw_body or b"{}")
    except RecursionError:
        raise ControlError("malformed JSON body: nested too deeply") from None
    except ValueError as exc:
        raise ControlError(f"malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def path_id(text: str) -> int | None:
    """A non-negative decimal id (ASCII digits, at most 40) from a path segment, else None."""
    if len(text) > 40 or not text.isascii() or not text.isdecimal():
        return None
    return int(text)


def shop_by_path(state: SandboxState, text: str) -> Shop:
    shop_id = path_id(text)
    shop = state.shops.get(shop_id) if shop_id is not None else None
    if shop is None:
        raise ControlError(f"unknown shop {text!r}", 404)
    return shop


def main_account_by_path(state: SandboxState, text: str) -> MainAccount:
    account_id = path_id(text)
    account = state.main_accounts.get(account_id) if account_id is not None else None
    if account is None:
        raise ControlError(f"unknown main account {text!r}", 404)
    return account
