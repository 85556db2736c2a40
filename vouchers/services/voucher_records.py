"""Voucher records from Shopee's answers: converting list items and saving a page of them.

A page is written with one parameterised ``INSERT ... ON CONFLICT (shop_id, voucher_id) DO
UPDATE`` (SQLite and PostgreSQL both have it), sent with ``executemany``: syncing 100,000
vouchers is 1,000 pages, and Django's per-value preparation in ``bulk_create`` cost about 13 ms a
page, more than the HTTP request it follows. Shopee's values are checked here with the one
parsing rule (`core.parsing`); a malformed item raises `MalformedVoucher` and nothing of its
page is saved.
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from core.parsing import NumberError, parse_id, parse_int, parse_unix_time
from shopadmin.sql import column, marks, table
from shops.models import Shop
from vouchers.models import Voucher
from vouchers.services.kinds.base import MalformedRecord

INT32_MAX = 2**31 - 1
SMALLINT_MAX = 2**15 - 1  # PostgreSQL's smallint

# Written by a sync (besides shop_id and voucher_id), in this order.
SYNCED_FIELDS = [
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
    "synced_at",
]


class MalformedVoucher(MalformedRecord):
    """A list item that is not a voucher we can store; the text says which field."""


def save_page(shop: Shop, items: list[dict]) -> tuple[int, int]:
    """Create or update the records of one page of `get_voucher_list`; (created, updated)."""
    # The backend's adapters looked up once a page, not for each of its 400 values (looking
    # `connection` up goes through a thread-local each time).
    ops = connection.ops
    synced = ops.adapt_datetimefield_value(timezone.now())
    rows = [_row(shop, item, synced, ops) for item in items]
    if not rows:
        return 0, 0
    ids = [row[1] for row in rows]
    # No savepoint: a sync records its answers in the dispatcher's transaction, and an error
    # here fails that transaction anyway (two statements fewer a page).
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_existing_sql(len(ids)), [shop.pk, *ids])
            existing = {voucher_id for (voucher_id,) in cursor.fetchall()}
            cursor.executemany(_upsert_sql(), rows)
    return len(set(ids) - existing), len(existing)


@lru_cache(maxsize=128)
def _existing_sql(count: int) -> str:
    """The page's vouchers we have already (a page is saved for every list call: its SQL is
    built once per page size, not compiled by the ORM each time)."""
    return (
        f"SELECT {column(Voucher, 'voucher_id')} FROM {table(Voucher)} "  # noqa: S608
        f"WHERE {column(Voucher, 'shop')} = %s "
        f"AND {column(Voucher, 'voucher_id')} IN ({marks(count)})"
    )


def _upsert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ["shop_id", "voucher_id", *SYNCED_FIELDS]
    updates = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in SYNCED_FIELDS)
    return (
        f"INSERT INTO {quote(Voucher._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 - our names
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('shop_id')}, {quote('voucher_id')}) DO UPDATE SET {updates}"
    )


def _row(shop: Shop, item, synced, ops) -> tuple:
    """One item as the INSERT's parameters, in the order of `_upsert_sql()`."""
    if not isinstance(item, dict):
        raise MalformedVoucher("a voucher in Shopee's list is not a JSON object")
    try:
        voucher_id = parse_id(item.get("voucher_id"), label="voucher_id")
        start, end = (
            _time(item, "start_time", required=True),
            _time(item, "end_time", required=True),
        )
        values = (
            _text(item.get("voucher_code"), 100),
            _text(item.get("voucher_name"), 255),
            _small(item, "voucher_type", SMALLINT_MAX),
            _small(item, "reward_type", SMALLINT_MAX),
            _small(item, "usage_quantity"),
            _small(item, "current_usage"),
            _datetime(start, ops),
            _datetime(end, ops),
            bool(item.get("is_admin")),
            _small(item, "voucher_purpose", SMALLINT_MAX) or 0,
            _decimal(item.get("discount_amount"), ops),
            _small(item, "percentage"),
            _datetime(_time(item, "display_start_time"), ops),
            synced,
        )
    except NumberError as error:
        raise MalformedVoucher(f"voucher {item.get('voucher_id')!r}: {error}") from None
    return (shop.pk, voucher_id, *values)


def _time(item, name, *, required=False):
    value = item.get(name)
    if value in (None, ""):
        if required:
            raise NumberError(f"{name} is missing.")
        return None
    return parse_unix_time(value, label=name)


def _small(item, name, maximum=INT32_MAX):
    """An optional whole number that fits its database column."""
    value = item.get(name)
    if value in (None, ""):
        return None
    return parse_int(value, label=name, maximum=maximum)


def _text(value, length: int) -> str:
    return str(value or "").replace("\x00", "")[:length]


def _datetime(value, ops):
    return ops.adapt_datetimefield_value(value) if value is not None else None


def _decimal(value, ops):
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        return None
    return ops.adapt_decimalfield_value(number, 16, 2)
