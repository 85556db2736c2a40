"""Main accounts and merchants: the reset document's optional ``main_accounts`` list.

Shape (one entry per main account)::

    {"main_account_id": int, "partner_id": int, "name": str, "shop_ids": [int, ...],
     "merchant_ids": [int, ...]}

Required: ``main_account_id`` (unique) and ``partner_id`` (a listed partner). ``name`` defaults
to "Main account <id>", the lists to ``[]``. Every listed shop must exist and be that partner's,
and a shop or a merchant belongs to at most one main account. Each listed merchant id becomes a
:class:`Merchant` of the partner: authorized from the reset for 365 days like the shops, but
holding no token until the seller authorizes the main account and the partner exchanges that
code (``token/get`` with ``main_account_id``). Merchant ids and shop ids are separate name
spaces. A bad entry raises :class:`sandbox.fields.DocumentError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox import fields
from sandbox.fields import DocumentError

AUTHORIZATION_TTL = 365 * 86400  # a seller's authorization lasts at most 365 days


@dataclass
class MainAccount:
    main_account_id: int
    partner_id: int
    name: str
    shop_ids: list[int] = field(default_factory=list)  # ascending
    merchant_ids: list[int] = field(default_factory=list)  # ascending


@dataclass
class Merchant:
    """A merchant of a main account: its own tokens and authorization, keyed by merchant_id."""

    merchant_id: int
    partner_id: int
    main_account_id: int
    auth_time: int
    auth_expire_time: int  # expired once now >= this
    auth_cancelled: bool = False
    access_token: str | None = None  # None until a main account code exchange
    refresh_token: str | None = None


def parse_main_accounts(
    doc: dict[str, Any], *, partners: dict[int, str], shops: dict[int, Any], now: int
) -> tuple[dict[int, MainAccount], dict[int, Merchant]]:
    """Validate ``doc["main_accounts"]``; return main accounts and merchants by id."""
    main_accounts: dict[int, MainAccount] = {}
    merchants: dict[int, Merchant] = {}
    owner_of_shop: dict[int, int] = {}
    for i, entry in enumerate(fields.entries(doc, "main_accounts")):
        where = f"main_accounts[{i}]"
        account_id = fields.integer(entry, "main_account_id", where)
        if account_id in main_accounts:
            raise DocumentError(f"{where}: main_account_id {account_id} is listed twice")
        partner_id = fields.integer(entry, "partner_id", where)
        if partner_id not in partners:
            raise DocumentError(f"{where}: unknown partner_id {partner_id}")
        shop_ids = fields.integer_list(entry, "shop_ids", where)
        for shop_id in shop_ids:
            shop = shops.get(shop_id)
            if shop is None or shop.partner_id != partner_id:
                raise DocumentError(
                    f"{where}: shop {shop_id} is not a shop of partner {partner_id}"
                )
            if shop_id in owner_of_shop:
                raise DocumentError(
                    f"{where}: shop {shop_id} already belongs to main account "
                    f"{owner_of_shop[shop_id]}"
                )
            owner_of_shop[shop_id] = account_id
        merchant_ids = fields.integer_list(entry, "merchant_ids", where)
        for merchant_id in merchant_ids:
            if merchant_id in merchants:
                raise DocumentError(
                    f"{where}: merchant {merchant_id} already belongs to main account "
                    f"{merchants[merchant_id].main_account_id}"
                )
            merchants[merchant_id] = Merchant(
                merchant_id=merchant_id,
                partner_id=partner_id,
                main_account_id=account_id,
                auth_time=now,
                auth_expire_time=now + AUTHORIZATION_TTL,
            )
        main_accounts[account_id] = MainAccount(
            main_account_id=account_id,
            partner_id=partner_id,
            name=fields.text(entry, "name", where, f"Main account {account_id}"),
            shop_ids=sorted(shop_ids),
            merchant_ids=sorted(merchant_ids),
        )
    return main_accounts, merchants
