"""The sandbox's data, its lock and its clock.

Contract:

* Every attribute is read and written only while holding :attr:`SandboxState.lock` (an RLock);
  the HTTP handlers take it around each Shopee call and each control call.
* Sandbox time is real time plus :attr:`clock_offset`, which only grows
  (``POST /_sandbox/clock``) except that a reset sets it back to 0. Everything follows it: the
  timestamp window, token and code lifetimes, voucher status.
* Tokens: an access token lives 4 hours, a refresh token 30 days, an authorization code
  10 minutes. A refresh token and a code work once. A refresh rotates both tokens and leaves
  the shop's earlier access tokens valid for 5 more minutes (or until their own expiry, if
  sooner). Token validity is ``now < expires_at``. Tokens are looked up per shop, so two shops
  may share a token string (as test documents often do) without disturbing each other.
* A seller's authorization of the partner (``Shop.auth_time`` .. ``Shop.auth_expire_time``) is
  expired once ``now >= auth_expire_time``; exchanging a fresh code renews it for 365 days
  (:meth:`SandboxState.renew_authorization`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.documents import AUTHORIZATION_TTL, Document, Shop, new_token, parse_document
from sandbox.throttle import Throttle

ACCESS_TOKEN_TTL = 4 * 3600
REFRESH_TOKEN_TTL = 30 * 86400
CODE_TTL = 10 * 60
REFRESH_GRACE = 5 * 60


@dataclass
class Grant:
    """What a token or code stands for: one shop of one partner, until ``expires_at``."""

    shop_id: int
    partner_id: int
    expires_at: int


class SandboxState:
    """All mutable sandbox data; see the module docstring for the locking rule."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.partners: dict[int, str] = {}
        self.shops: dict[int, Shop] = {}
        self.vouchers: dict[int, dict[int, dict[str, Any]]] = {}
        self.access_tokens: dict[tuple[int, str], Grant] = {}  # (shop_id, token) -> grant
        self.refresh_tokens: dict[tuple[int, str], Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.calls: list[dict[str, Any]] = []
        self.fault_rules: list[Any] = []  # sandbox.faults.FaultRule, in match order
        self.throttle = Throttle()

    # -- clock ---------------------------------------------------------------------------
    def now_float(self) -> float:
        return time.time() + self.clock_offset

    def now(self) -> int:
        """Sandbox time in whole Unix seconds."""
        return int(self.now_float())

    def advance_clock(self, seconds: float) -> int:
        """Move sandbox time forward by ``seconds`` (>= 0); return the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.clock_offset += seconds
        return self.now()

    # -- whole-state replacement ---------------------------------------------------------
    def reset(self, doc: Any) -> None:
        """Replace everything with the reset document ``doc`` (see :mod:`sandbox.documents`).

        The clock offset, the calls log, the fault rules and the rate limit are cleared too;
        the document's tokens are valid from now (4 hours, refresh 30 days). Raises
        ``DocumentError`` and leaves the state untouched when ``doc`` is malformed.
        """
        document = parse_document(doc, now=int(time.time()))
        self.clock_offset = 0.0
        self.install(document)
        self.calls.clear()
        self.fault_rules.clear()
        self.throttle.configure(None)

    def install(self, document: Document) -> None:
        """Take over a document's data and issue its shops' tokens from now."""
        self.partners = document.partners
        self.shops = document.shops
        self.vouchers = document.vouchers
        self.access_tokens.clear()
        self.refresh_tokens.clear()
        self.codes.clear()
        now = self.now()
        for shop in self.shops.values():
            self._grant_tokens(shop, now)

    # -- tokens and codes ----------------------------------------------------------------
    def _grant_tokens(self, shop: Shop, now: int) -> None:
        access = Grant(shop.shop_id, shop.partner_id, now + ACCESS_TOKEN_TTL)
        self.access_tokens[(shop.shop_id, shop.access_token)] = access
        refresh = Grant(shop.shop_id, shop.partner_id, now + REFRESH_TOKEN_TTL)
        self.refresh_tokens[(shop.shop_id, shop.refresh_token)] = refresh

    def access_token_valid(self, token: str, *, shop_id: int) -> bool:
        grant = self.access_tokens.get((shop_id, token))
        return grant is not None and self.now() < grant.expires_at

    def issue_tokens(self, shop_id: int) -> Shop:
        """Give ``shop_id`` a fresh access and refresh token; return the updated shop."""
        shop = self.shops[shop_id]
        shop.access_token = new_token()
        shop.refresh_token = new_token()
        self._grant_tokens(shop, self.now())
        return shop

    def refresh(self, refresh_token: str, *, partner_id: int, shop_id: int) -> Shop | None:
        """Spend ``refresh_token`` and rotate the shop's tokens; None if it is not usable.

        A usable refresh token exists, is unexpired and belongs to that partner and shop.
        """
        grant = self.refresh_tokens.get((shop_id, refresh_token))
        now = self.now()
        if grant is None or grant.partner_id != partner_id or now >= grant.expires_at:
            return None
        del self.refresh_tokens[(shop_id, refresh_token)]
        for access in self.access_tokens.values():
            if access.shop_id == shop_id:
                access.expires_at = min(access.expires_at, now + REFRESH_GRACE)
        return self.issue_tokens(shop_id)

    def issue_code(self, *, partner_id: int, shop_id: int) -> str:
        code = new_token()
        self.codes[code] = Grant(shop_id, partner_id, self.now() + CODE_TTL)
        return code

    def use_code(self, code: str, *, partner_id: int, shop_id: int) -> bool:
        """Spend ``code`` if it is unexpired and was issued for that partner and shop."""
        grant = self.codes.get(code)
        if grant is None or grant.partner_id != partner_id or grant.shop_id != shop_id:
            return False
        del self.codes[code]
        return self.now() < grant.expires_at

    # -- the seller's authorization --------------------------------------------------------
    def authorization_expired(self, shop: Shop) -> bool:
        return self.now() >= shop.auth_expire_time

    def renew_authorization(self, shop_id: int) -> None:
        """The seller authorized the partner again: 365 more days from now."""
        shop = self.shops[shop_id]
        shop.auth_time = self.now()
        shop.auth_expire_time = shop.auth_time + AUTHORIZATION_TTL

    # -- views ---------------------------------------------------------------------------
    def shop_view(self, shop: Shop) -> dict[str, Any]:
        access = self.access_tokens.get((shop.shop_id, shop.access_token))
        refresh = self.refresh_tokens.get((shop.shop_id, shop.refresh_token))
        return asdict(shop) | {
            "access_token_expires_at": access.expires_at if access else None,
            "refresh_token_expires_at": refresh.expires_at if refresh else None,
        }

    def snapshot(self) -> dict[str, Any]:
        """``GET /_sandbox/state``: partners, shops with current tokens, vouchers, now."""
        return {
            "now": self.now(),
            "partners": [
                {"partner_id": pid, "partner_key": key} for pid, key in self.partners.items()
            ],
            "shops": [self.shop_view(shop) for shop in self.shops.values()],
            "vouchers": [
                {"shop_id": shop_id} | voucher
                for shop_id, vouchers in self.vouchers.items()
                for _, voucher in sorted(vouchers.items())
            ],
            "rate_limit_per_shop": self.throttle.rps,
        }
