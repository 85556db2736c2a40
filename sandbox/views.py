"""``GET /_sandbox/state``: the sandbox's data as tests see it.

::

    {"now": int, "partners": [{"partner_id", "partner_key"}],
     "shops": [{"shop_id", "partner_id", "name", "region", "access_token", "refresh_token",
                "status", "auth_time", "auth_expire_time", "merchant_id", "auth_cancelled",
                "main_account_id", "access_token_expires_at", "refresh_token_expires_at"}],
     "main_accounts": [{"main_account_id", "partner_id", "name", "shop_ids", "merchant_ids"}],
     "merchants": [{"merchant_id", "partner_id", "main_account_id", "auth_time",
                    "auth_expire_time", "auth_cancelled", "access_token", "refresh_token",
                    "access_token_expires_at", "refresh_token_expires_at"}],
     "vouchers": [{"shop_id", ...every voucher field}],
     "promotions": {"<kind>": [{"shop_id", ...every field, sandbox-only ones included}]},
     "rate_limit_per_shop": float | null, "push_url": str | null}

``access_token`` / ``refresh_token`` are the holder's current pair; their ``*_expires_at`` are
null once that token is spent, revoked or was never issued (a merchant before its main
account's first code exchange). Callers hold the state lock.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sandbox import promotions
from sandbox.accounts import Merchant
from sandbox.documents import Shop
from sandbox.state import SandboxState, Table


def _expiry(table: Table, holder_id: int, token: str | None) -> int | None:
    grant = table.get((holder_id, token)) if token is not None else None
    return grant.expires_at if grant else None


def shop_view(state: SandboxState, shop: Shop) -> dict[str, Any]:
    return asdict(shop) | {
        "main_account_id": state.main_account_of(shop.shop_id),
        "access_token_expires_at": _expiry(state.access_tokens, shop.shop_id, shop.access_token),
        "refresh_token_expires_at": _expiry(state.refresh_tokens, shop.shop_id, shop.refresh_token),
    }


def merchant_view(state: SandboxState, merchant: Merchant) -> dict[str, Any]:
    merchant_id = merchant.merchant_id
    return asdict(merchant) | {
        "access_token_expires_at": _expiry(
            state.merchant_access_tokens, merchant_id, merchant.access_token
        ),
        "refresh_token_expires_at": _expiry(
            state.merchant_refresh_tokens, merchant_id, merchant.refresh_token
        ),
    }


def snapshot(state: SandboxState) -> dict[str, Any]:
    """The whole ``GET /_sandbox/state`` answer (see the module docstring)."""
    return {
        "now": state.now(),
        "partners": [
            {"partner_id": pid, "partner_key": key} for pid, key in state.partners.items()
        ],
        "shops": [shop_view(state, shop) for shop in state.shops.values()],
        "main_accounts": [asdict(account) for account in state.main_accounts.values()],
        "merchants": [merchant_view(state, m) for m in state.merchants.values()],
        "vouchers": [
            {"shop_id": shop_id} | voucher
            for shop_id, vouchers in state.vouchers.items()
            for _, voucher in sorted(vouchers.items())
        ],
        "promotions": promotions.dump(state.promotions),
        "rate_limit_per_shop": state.throttle.rps,
        "push_url": state.push_url,
    }
