"""``--state FILE``: the sandbox's data on disk, so a restart keeps ended vouchers and tokens.

The file is JSON (format ``version`` 1): the clock offset, partners, shops with their current
tokens, status, authorization times, ``merchant_id`` and ``auth_cancelled``, main accounts,
merchants (tokens, authorization), vouchers, promotions of every kind, every live access token,
refresh token (shops' and merchants') and authorization code with its expiry, the push URL, every
push record and the next message id. Keys a file written by an older sandbox lacks take their
defaults: shops "NORMAL", authorized from the restart for 365 days, no merchant, not cancelled; no
promotions, main accounts, merchants, push URL or pushes. A push still being delivered when the file
was written is restored as lost ("the sandbox stopped before delivering it"). The calls log, fault
rules and rate limit are test settings and are not saved. :func:`save_state` writes a temporary file
beside FILE and renames it over FILE, so a reader (or a crash) never sees half a file.
Callers hold the state lock.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from sandbox import promotions
from sandbox.accounts import MainAccount, Merchant
from sandbox.documents import AUTHORIZATION_TTL, Shop
from sandbox.push import STOPPED, Push
from sandbox.state import Grant, SandboxState, Table

FORMAT_VERSION = 1
_GRANT_FIELDS = {f.name for f in fields(Grant)}


def _grants(table: dict[Any, Grant]) -> list[dict[str, Any]]:
    return [
        {"token": key[1] if isinstance(key, tuple) else key} | asdict(grant)
        for key, grant in table.items()
    ]


def _grant(row: dict[str, Any]) -> Grant:
    return Grant(**{k: v for k, v in row.items() if k in _GRANT_FIELDS})


def _table(rows: list[dict[str, Any]], holder: str) -> Table:
    return {(row[holder], row["token"]): _grant(row) for row in rows}


def dump_state(state: SandboxState) -> dict[str, Any]:
    """Everything needed to restore ``state`` (see the module docstring)."""
    return {
        "version": FORMAT_VERSION,
        "clock_offset": state.clock_offset,
        "partners": [{"partner_id": p, "partner_key": k} for p, k in state.partners.items()],
        "shops": [asdict(shop) for shop in state.shops.values()],
        "main_accounts": [asdict(account) for account in state.main_accounts.values()],
        "merchants": [asdict(merchant) for merchant in state.merchants.values()],
        "vouchers": [
            {"shop_id": shop_id} | voucher
            for shop_id, vouchers in state.vouchers.items()
            for voucher in vouchers.values()
        ],
        "promotions": promotions.dump(state.promotions),
        "access_tokens": _grants(state.access_tokens),
        "refresh_tokens": _grants(state.refresh_tokens),
        "merchant_access_tokens": _grants(state.merchant_access_tokens),
        "merchant_refresh_tokens": _grants(state.merchant_refresh_tokens),
        "codes": _grants(state.codes),
        "push_url": state.push_url,
        "pushes": [p.view() for p in state.pushes],
        "next_message_id": state.next_message_id,
    }


def _push(row: dict[str, Any], now: int) -> Push:
    restored = Push(**row)
    if restored.pending:  # lost by the restart: now, as far as anyone can tell
        restored.pending, restored.error, restored.lost_at = False, STOPPED, now
    return restored


def restore_state(state: SandboxState, data: dict[str, Any]) -> None:
    """Replace ``state``'s data with a :func:`dump_state` document."""
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported state file version {data.get('version')!r}")
    state.clock_offset = float(data["clock_offset"])
    state.partners = {row["partner_id"]: row["partner_key"] for row in data["partners"]}
    now = state.now()
    older = {"status": "NORMAL", "auth_time": now, "auth_expire_time": now + AUTHORIZATION_TTL}
    state.shops = {row["shop_id"]: Shop(**(older | row)) for row in data["shops"]}
    state.main_accounts = {
        row["main_account_id"]: MainAccount(**row) for row in data.get("main_accounts", [])
    }
    state.merchants = {row["merchant_id"]: Merchant(**row) for row in data.get("merchants", [])}
    state.vouchers = {shop_id: {} for shop_id in state.shops}
    for row in data["vouchers"]:
        voucher = dict(row)
        state.vouchers[voucher.pop("shop_id")][voucher["voucher_id"]] = voucher
    state.promotions = promotions.restore(data.get("promotions"))
    state.access_tokens = _table(data["access_tokens"], "shop_id")
    state.refresh_tokens = _table(data["refresh_tokens"], "shop_id")
    state.merchant_access_tokens = _table(data.get("merchant_access_tokens", []), "merchant_id")
    state.merchant_refresh_tokens = _table(data.get("merchant_refresh_tokens", []), "merchant_id")
    state.codes = {row["token"]: _grant(row) for row in data["codes"]}
    state.push_url = data.get("push_url")
    state.pushes = [_push(row, now) for row in data.get("pushes", [])]
    state.next_message_id = data.get("next_message_id", 1)


def save_state(state: SandboxState, path: str | os.PathLike[str]) -> None:
    """Write ``state`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dump_state(state), handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_state(state: SandboxState, path: str | os.PathLike[str]) -> bool:
    """Restore ``state`` from ``path``; False (state untouched) when the file does not exist."""
    target = Path(path)
    if not target.exists():
        return False
    restore_state(state, json.loads(target.read_text(encoding="utf-8")))
    return True
