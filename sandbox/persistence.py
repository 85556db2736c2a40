"""``--state FILE``: the sandbox's data on disk, so a restart keeps ended vouchers and tokens.

The file is JSON (format ``version`` 1): the clock offset, partners, shops with their current
tokens, status and authorization times (a file written before shops had them restores them as
"NORMAL", authorized from the restart for 365 days), vouchers, and every live access token,
refresh token and authorization code with its expiry. The calls log, fault rules and rate
limit are test settings and are not saved. :func:`save_state` writes a temporary file beside
FILE and renames it over FILE, so a reader (or a crash) never sees half a file.
Callers hold the state lock.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sandbox.documents import AUTHORIZATION_TTL, Shop
from sandbox.state import Grant, SandboxState

FORMAT_VERSION = 1


def dump_state(state: SandboxState) -> dict[str, Any]:
    """Everything needed to restore ``state`` (see the module docstring)."""

    def grants(table: dict[Any, Grant]) -> list[dict[str, Any]]:
        return [
            {"token": key[1] if isinstance(key, tuple) else key} | asdict(grant)
            for key, grant in table.items()
        ]

    return {
        "version": FORMAT_VERSION,
        "clock_offset": state.clock_offset,
        "partners": [{"partner_id": p, "partner_key": k} for p, k in state.partners.items()],
        "shops": [asdict(shop) for shop in state.shops.values()],
        "vouchers": [
            {"shop_id": shop_id} | voucher
            for shop_id, vouchers in state.vouchers.items()
            for voucher in vouchers.values()
        ],
        "access_tokens": grants(state.access_tokens),
        "refresh_tokens": grants(state.refresh_tokens),
        "codes": grants(state.codes),
    }


def restore_state(state: SandboxState, data: dict[str, Any]) -> None:
    """Replace ``state``'s data with a :func:`dump_state` document."""
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported state file version {data.get('version')!r}")

    def grant(row: dict[str, Any]) -> Grant:
        return Grant(row["shop_id"], row["partner_id"], row["expires_at"])

    state.clock_offset = float(data["clock_offset"])
    state.partners = {row["partner_id"]: row["partner_key"] for row in data["partners"]}
    now = state.now()
    older = {"status": "NORMAL", "auth_time": now, "auth_expire_time": now + AUTHORIZATION_TTL}
    state.shops = {row["shop_id"]: Shop(**(older | row)) for row in data["shops"]}
    state.vouchers = {shop_id: {} for shop_id in state.shops}
    for row in data["vouchers"]:
        voucher = dict(row)
        state.vouchers[voucher.pop("shop_id")][voucher["voucher_id"]] = voucher
    state.access_tokens = {(r["shop_id"], r["token"]): grant(r) for r in data["access_tokens"]}
    state.refresh_tokens = {(r["shop_id"], r["token"]): grant(r) for r in data["refresh_tokens"]}
    state.codes = {r["token"]: grant(r) for r in data["codes"]}


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
