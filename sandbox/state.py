"""The sandbox's data, its lock and its clock.

Contract:

* Every attribute is read and written only while holding :attr:`SandboxState.lock` (an RLock);
  the HTTP handlers take it around each Shopee call and each control call. Nothing holds it
  across an outbound HTTP call (push delivery, :mod:`sandbox.push`).
* Sandbox time is real time plus :attr:`clock_offset`, which only grows
  (``POST /_sandbox/clock``) except that a reset sets it back to 0. Everything follows it: the
  timestamp window, token and code lifetimes, voucher status, push ages.
* Tokens: an access token lives 4 hours, a refresh token 30 days, an authorization code
  10 minutes. A refresh token and a code work once. A refresh rotates both tokens and leaves
  the holder's earlier access tokens valid for 5 more minutes (or until their own expiry, if
  sooner). Token validity is ``now < expires_at``. Tokens are looked up per holder -- (shop_id,
  token) for shops, (merchant_id, token) for merchants, separate tables -- so two shops may hold
  the same token string without disturbing each other: a main account's code exchange grants
  ONE pair to every shop and merchant of the account, and each holder spends the shared refresh
  token once, for itself only (:meth:`SandboxState.refresh`).
* A seller's authorization of the partner (``auth_time`` .. ``auth_expire_time``, shops and
  merchants alike) is expired once ``now >= auth_expire_time``; it is cancelled while
  ``auth_cancelled``. Exchanging a fresh code renews it for 365 days and clears the cancelled
  flag (:meth:`SandboxState.renew_authorization`). Cancelling revokes the holder's tokens.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sandbox.accounts import AUTHORIZATION_TTL, MainAccount, Merchant
from sandbox.documents import Document, Shop, new_token, parse_document
from sandbox.throttle import Throttle

ACCESS_TOKEN_TTL = 4 * 3600
REFRESH_TOKEN_TTL = 30 * 86400
CODE_TTL = 10 * 60
REFRESH_GRACE = 5 * 60

Holder = Shop | Merchant
Table = dict[tuple[int, str], "Grant"]


@dataclass
class Grant:
    """What a token or code stands for, for one partner until ``expires_at``.

    Shop tokens and shop codes name a ``shop_id``; merchant tokens a ``merchant_id``; a main
    account's code a ``main_account_id`` (the other ids None).
    """

    shop_id: int | None
    partner_id: int
    expires_at: int
    merchant_id: int | None = None
    main_account_id: int | None = None


class SandboxState:
    """All mutable sandbox data; see the module docstring for the locking rule."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.partners: dict[int, str] = {}
        self.shops: dict[int, Shop] = {}
        self.vouchers: dict[int, dict[int, dict[str, Any]]] = {}
        # kind -> shop_id -> promotion id -> record (sandbox.promotions)
        self.promotions: dict[str, dict[int, dict[int, dict[str, Any]]]] = {}
        self.main_accounts: dict[int, MainAccount] = {}
        self.merchants: dict[int, Merchant] = {}
        self.access_tokens: Table = {}  # (shop_id, token) -> grant
        self.refresh_tokens: Table = {}
        self.merchant_access_tokens: Table = {}  # (merchant_id, token) -> grant
        self.merchant_refresh_tokens: Table = {}
        self.codes: dict[str, Grant] = {}
        self.calls: list[dict[str, Any]] = []
        self.fault_rules: list[Any] = []  # sandbox.faults.FaultRule, in match order
        self.throttle = Throttle()
        self.push_url: str | None = None
        self.discount_messages = "shopee"  # sandbox.promotions.discount.MESSAGE_CHOICES
        self.pushes: list[Any] = []  # sandbox.push.Push, oldest first
        self.next_message_id = 1

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

        The document's optional ``promotions`` (:func:`sandbox.promotions.parse_promotions`) replace
        every promotion. The clock offset, the calls log, the fault rules, the rate limit, the push
        URL and all pushes are cleared too (message ids count from 1 again); the document's tokens
        are valid from now (4 hours, refresh 30 days). Raises ``DocumentError`` and leaves the state
        untouched when ``doc`` is malformed.
        """
        from sandbox.promotions import parse_promotions  # the kinds import this module

        now = int(time.time())
        document = parse_document(doc, now=now)
        promotions = parse_promotions(doc, shop_ids=set(document.shops), now=now)
        self.clock_offset = 0.0
        self.install(document)
        self.promotions = promotions
        self.calls.clear()
        self.fault_rules.clear()
        self.throttle.configure(None)
        self.push_url = None
        self.discount_messages = "shopee"
        self.pushes.clear()
        self.next_message_id = 1

    def install(self, document: Document) -> None:
        """Take over a document's data and issue its shops' tokens from now."""
        self.partners = document.partners
        self.shops = document.shops
        self.vouchers = document.vouchers
        self.main_accounts = document.main_accounts
        self.merchants = document.merchants
        for table in self._tables():
            table.clear()
        self.codes.clear()
        now = self.now()
        for shop in self.shops.values():
            self._grant(shop, now)

    def _tables(self) -> tuple[Table, Table, Table, Table]:
        return (
            self.access_tokens,
            self.refresh_tokens,
            self.merchant_access_tokens,
            self.merchant_refresh_tokens,
        )

    # -- tokens --------------------------------------------------------------------------
    def _tables_of(self, holder: Holder) -> tuple[Table, Table, int]:
        if isinstance(holder, Merchant):
            pair = (self.merchant_access_tokens, self.merchant_refresh_tokens)
            return (*pair, holder.merchant_id)
        return self.access_tokens, self.refresh_tokens, holder.shop_id

    def _grant(self, holder: Holder, now: int) -> None:
        """Record the holder's current token pair as valid from ``now``."""
        access, refresh, holder_id = self._tables_of(holder)
        ids: dict[str, Any] = (
            {"shop_id": None, "merchant_id": holder_id}
            if isinstance(holder, Merchant)
            else {"shop_id": holder_id}
        )
        access[(holder_id, holder.access_token)] = Grant(
            partner_id=holder.partner_id, expires_at=now + ACCESS_TOKEN_TTL, **ids
        )
        refresh[(holder_id, holder.refresh_token)] = Grant(
            partner_id=holder.partner_id, expires_at=now + REFRESH_TOKEN_TTL, **ids
        )

    def give_tokens(self, holder: Holder, access_token: str, refresh_token: str) -> None:
        """Make (access_token, refresh_token) the holder's current pair, valid from now."""
        holder.access_token, holder.refresh_token = access_token, refresh_token
        self._grant(holder, self.now())

    def access_token_valid(self, token: str, *, shop_id: int) -> bool:
        grant = self.access_tokens.get((shop_id, token))
        return grant is not None and self.now() < grant.expires_at

    def issue_tokens(self, shop_id: int) -> Shop:
        """Give ``shop_id`` a fresh access and refresh token; return the updated shop."""
        shop = self.shops[shop_id]
        self.give_tokens(shop, new_token(), new_token())
        return shop

    def refresh(self, refresh_token: str, *, partner_id: int, holder: Holder) -> bool:
        """Spend ``refresh_token`` for ``holder`` (a shop or a merchant) and rotate its tokens.

        False (nothing changes) unless the token exists for that holder, is unexpired and
        belongs to that partner. Spending it for one holder leaves another holder's copy of the
        same string (a main account's shared pair) usable. The holder's older access tokens
        stay valid 5 more minutes (or until their own expiry, if sooner).
        """
        access, refresh, holder_id = self._tables_of(holder)
        grant = refresh.get((holder_id, refresh_token))
        now = self.now()
        if grant is None or grant.partner_id != partner_id or now >= grant.expires_at:
            return False
        del refresh[(holder_id, refresh_token)]
        for (owner, _), older in access.items():
            if owner == holder_id:
                older.expires_at = min(older.expires_at, now + REFRESH_GRACE)
        self.give_tokens(holder, new_token(), new_token())
        return True

    def revoke_tokens(self, holder: Holder) -> None:
        """Forget every access and refresh token of the holder (its authorization ended)."""
        access, refresh, holder_id = self._tables_of(holder)
        for table in (access, refresh):
            for key in [key for key in table if key[0] == holder_id]:
                del table[key]

    # -- codes ---------------------------------------------------------------------------
    def issue_code(
        self, *, partner_id: int, shop_id: int | None = None, main_account_id: int | None = None
    ) -> str:
        """A fresh 10-minute code for one shop or one main account of the partner."""
        code = new_token()
        expires_at = self.now() + CODE_TTL
        self.codes[code] = Grant(shop_id, partner_id, expires_at, main_account_id=main_account_id)
        return code

    def use_code(
        self,
        code: str,
        *,
        partner_id: int,
        shop_id: int | None = None,
        main_account_id: int | None = None,
    ) -> bool:
        """Spend ``code`` if it is unexpired and was issued for that partner and shop/account."""
        grant = self.codes.get(code)
        if grant is None or grant.partner_id != partner_id:
            return False
        if (grant.shop_id, grant.main_account_id) != (shop_id, main_account_id):
            return False
        del self.codes[code]
        return self.now() < grant.expires_at

    # -- the seller's authorization --------------------------------------------------------
    def authorization_expired(self, holder: Holder) -> bool:
        return self.now() >= holder.auth_expire_time

    def renew_authorization(self, holder: Holder) -> None:
        """The seller authorized the partner again: 365 more days from now, not cancelled."""
        holder.auth_time = self.now()
        holder.auth_expire_time = holder.auth_time + AUTHORIZATION_TTL
        holder.auth_cancelled = False

    def cancel_authorization(self, holder: Holder) -> None:
        """The seller cancelled the authorization: flag it and revoke the holder's tokens."""
        holder.auth_cancelled = True
        self.revoke_tokens(holder)

    def main_account_of(self, shop_id: int) -> int | None:
        for account in self.main_accounts.values():
            if shop_id in account.shop_ids:
                return account.main_account_id
        return None
