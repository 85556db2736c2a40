"""The reset document: validation and defaults.

Shape (``POST /_sandbox/reset``, also what :func:`sandbox.seeds.demo_document` returns)::

    {"partners": [{"partner_id": int, "partner_key": str}],
     "shops": [{"shop_id": int, "partner_id": int, "name": str, "region": str,
                "access_token": str, "refresh_token": str,
                "status": "NORMAL" | "BANNED" | "FROZEN", "auth_time": int,
                "auth_expire_time": int, "merchant_id": int | null}],
     "main_accounts": [{"main_account_id": int, "partner_id": int, "name": str,
                        "shop_ids": [int], "merchant_ids": [int]}],      # optional
     "vouchers": [{"shop_id": int, "voucher_id": int, "start_time": int, "end_time": int,
                   ...any other Shopee voucher field}]}

Required: ``partner_id``/``partner_key``; ``shop_id``/``partner_id`` (a known partner);
``shop_id`` (a known shop)/``voucher_id``. Everything else has a default (:data:`VOUCHER_DEFAULTS`,
``region`` "SG", ``name`` "Shop <id>", random 32-hex tokens, ``status`` "NORMAL", ``auth_time``
the reset time, ``auth_expire_time`` the reset time + 365 days, ``merchant_id`` null, a voucher
ongoing from an hour ago for 7 days); a shop field given as null or "" takes its default too.
Unknown voucher fields are kept as given. Main accounts: :mod:`sandbox.accounts`. A bad document
raises :class:`DocumentError` whose text says what is wrong.

:func:`shop_changes` validates the fields ``POST /_sandbox/shops/<shop_id>`` may change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sandbox import fields
from sandbox.accounts import AUTHORIZATION_TTL, MainAccount, Merchant, parse_main_accounts
from sandbox.fields import DocumentError

__all__ = ["AUTHORIZATION_TTL", "DocumentError", "Document", "Shop", "parse_document"]

# Fields of get_voucher_list items (shopee-api.md section 5); get_voucher adds DETAIL_FIELDS.
LIST_FIELDS = (
    "voucher_id",
    "voucher_code",
    "voucher_name",
    "voucher_type",
    "reward_type",
    "usage_quantity",
    "current_usage",
    "start_time",
    "end_time",
    "is_admin",
    "voucher_purpose",
    "discount_amount",
    "percentage",
    "display_start_time",
)
DETAIL_FIELDS = ("min_basket_price", "max_price", "display_channel_list", "item_id_list")

VOUCHER_DEFAULTS: dict[str, Any] = {
    "voucher_type": 1,
    "reward_type": 1,
    "usage_quantity": 100,
    "current_usage": 0,
    "is_admin": False,
    "voucher_purpose": 0,
    "discount_amount": 10.0,
    "percentage": 0,
    "min_basket_price": 0,
    "max_price": 0,
    "display_channel_list": [1],
    "item_id_list": [],
}
DEFAULT_REGION = "SG"
SHOP_STATUSES = ("NORMAL", "BANNED", "FROZEN")
SHOP_CHANGEABLE = (
    "status",
    "auth_time",
    "auth_expire_time",
    "name",
    "region",
    "merchant_id",
    "auth_cancelled",
)


@dataclass
class Shop:
    shop_id: int
    partner_id: int
    name: str
    region: str
    access_token: str
    refresh_token: str
    status: str  # one of SHOP_STATUSES
    auth_time: int  # when the seller last authorized the partner (Unix seconds)
    auth_expire_time: int  # when that authorization ends: expired once now >= this
    merchant_id: int | None = None  # the merchant the shop belongs to, if any
    auth_cancelled: bool = False  # the seller cancelled the authorization (until a new code)


@dataclass
class Document:
    """A validated reset document: vouchers are grouped per shop and keyed by voucher_id."""

    partners: dict[int, str]
    shops: dict[int, Shop]
    vouchers: dict[int, dict[int, dict[str, Any]]]
    main_accounts: dict[int, MainAccount] = field(default_factory=dict)
    merchants: dict[int, Merchant] = field(default_factory=dict)


def new_token() -> str:
    """A token like Shopee's: 32 lowercase hex characters."""
    return secrets.token_hex(16)


def _status(entry: dict[str, Any], where: str) -> str:
    value = entry.get("status")
    if value is None or value == "":
        return "NORMAL"
    if value not in SHOP_STATUSES:
        raise DocumentError(
            f"{where}: status must be one of {', '.join(SHOP_STATUSES)}, got {value!r}"
        )
    return value


def parse_document(doc: Any, *, now: int) -> Document:
    """Validate ``doc`` and fill in defaults; ``now`` anchors the default times."""
    if not isinstance(doc, dict):
        raise DocumentError("the document must be a JSON object")
    partners: dict[int, str] = {}
    for i, entry in enumerate(fields.entries(doc, "partners")):
        where = f"partners[{i}]"
        partners[fields.integer(entry, "partner_id", where)] = fields.text(
            entry, "partner_key", where
        )
    shops: dict[int, Shop] = {}
    for i, entry in enumerate(fields.entries(doc, "shops")):
        where = f"shops[{i}]"
        shop_id = fields.integer(entry, "shop_id", where)
        partner_id = fields.integer(entry, "partner_id", where)
        if partner_id not in partners:
            raise DocumentError(f"{where}: unknown partner_id {partner_id}")
        shops[shop_id] = Shop(
            shop_id=shop_id,
            partner_id=partner_id,
            name=fields.text(entry, "name", where, f"Shop {shop_id}"),
            region=fields.text(entry, "region", where, DEFAULT_REGION),
            access_token=fields.text(entry, "access_token", where, new_token()),
            refresh_token=fields.text(entry, "refresh_token", where, new_token()),
            status=_status(entry, where),
            auth_time=fields.optional_integer(entry, "auth_time", where, now),
            auth_expire_time=fields.optional_integer(
                entry, "auth_expire_time", where, now + AUTHORIZATION_TTL
            ),
            merchant_id=fields.optional_integer(entry, "merchant_id", where, None),
        )
    main_accounts, merchants = parse_main_accounts(doc, partners=partners, shops=shops, now=now)
    vouchers: dict[int, dict[int, dict[str, Any]]] = {shop_id: {} for shop_id in shops}
    for i, entry in enumerate(fields.entries(doc, "vouchers")):
        where = f"vouchers[{i}]"
        shop_id = fields.integer(entry, "shop_id", where)
        if shop_id not in shops:
            raise DocumentError(f"{where}: unknown shop_id {shop_id}")
        voucher = voucher_with_defaults(entry, where=where, now=now)
        vouchers[shop_id][voucher["voucher_id"]] = voucher
    return Document(
        partners=partners,
        shops=shops,
        vouchers=vouchers,
        main_accounts=main_accounts,
        merchants=merchants,
    )


def shop_changes(changes: Any) -> dict[str, Any]:
    """Validate a ``POST /_sandbox/shops/<shop_id>`` body: some of :data:`SHOP_CHANGEABLE`."""
    if not isinstance(changes, dict):
        raise DocumentError("the body must be a JSON object")
    unknown = sorted(set(changes) - set(SHOP_CHANGEABLE))
    if unknown:
        raise DocumentError(
            f"unknown shop field(s) {', '.join(unknown)}; known: {', '.join(SHOP_CHANGEABLE)}"
        )
    valid: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "status":
            if value not in SHOP_STATUSES:
                raise DocumentError(
                    f"shop: status must be one of {', '.join(SHOP_STATUSES)}, got {value!r}"
                )
            valid[name] = value
        elif name in ("auth_time", "auth_expire_time"):
            valid[name] = fields.integer(changes, name, "shop")
        elif name == "merchant_id":
            valid[name] = fields.optional_integer(changes, name, "shop", None)
        elif name == "auth_cancelled":
            if not isinstance(value, bool):
                raise DocumentError(f"shop: auth_cancelled must be true or false, got {value!r}")
            valid[name] = value
        else:
            valid[name] = fields.text(changes, name, "shop")
    return valid


def voucher_with_defaults(entry: dict[str, Any], *, where: str, now: int) -> dict[str, Any]:
    """One voucher's stored fields (without ``shop_id``), defaults filled in."""
    voucher_id = fields.integer(entry, "voucher_id", where)
    voucher = {k: v for k, v in entry.items() if k != "shop_id"}
    voucher.setdefault("start_time", now - 3600)
    voucher.setdefault("end_time", now + 7 * 86400)
    start_time = fields.integer(voucher, "start_time", where)
    if fields.integer(voucher, "end_time", where) < start_time:
        raise DocumentError(f"{where}: end_time is before start_time")
    voucher.setdefault("voucher_code", f"V{voucher_id}")
    voucher.setdefault("voucher_name", f"Voucher {voucher_id}")
    voucher.setdefault("display_start_time", start_time)
    for name, default in VOUCHER_DEFAULTS.items():
        voucher.setdefault(name, list(default) if isinstance(default, list) else default)
    voucher["is_admin"] = bool(voucher["is_admin"])
    return voucher


def voucher_status(voucher: dict[str, Any], now: int) -> str:
    """``upcoming`` (now < start), ``ongoing`` (start <= now < end) or ``expired``."""
    if now < voucher["start_time"]:
        return "upcoming"
    if now < voucher["end_time"]:
        return "ongoing"
    return "expired"


def list_item(voucher: dict[str, Any]) -> dict[str, Any]:
    """A get_voucher_list item: the list fields only."""
    return {name: voucher.get(name) for name in LIST_FIELDS}


def detail(voucher: dict[str, Any]) -> dict[str, Any]:
    """A get_voucher response: the list fields, the detail fields, then any extra field given."""
    known = {name: voucher.get(name) for name in LIST_FIELDS + DETAIL_FIELDS}
    extra = {k: v for k, v in voucher.items() if k not in known}
    return known | extra
