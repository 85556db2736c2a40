"""Voucher records from Shopee's answers: converting list items and saving a page of them.

A page is written with one parameterised ``INSERT ... VALUES (...), (...) ON CONFLICT (shop_id,
voucher_id) DO UPDATE`` (SQLite and PostgreSQL both have it), its SQL built once per page size:
syncing 100,000 vouchers is 1,000 pages, and Django's per-value preparation in ``bulk_create``
cost about 13 ms a page, more than the HTTP request it follows; one statement a page costs less
than ``executemany`` of a row each. Shopee's values are checked here with the one
parsing rule (`core.parsing`); a malformed item raises `MalformedVoucher` and nothing of its
page is saved.
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from core.parsing import NumberError, parse_id, parse_int, parse_unix_time
from shopadmin.sql import column, marks, table, upsert
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


# The INSERT's columns, in the order of `_row()`.
UPSERT_COLUMNS = ["shop", "voucher_id", *SYNCED_FIELDS]


class MalformedVoucher(MalformedRecord):
    """A list item that is not a voucher we can store; the text says which field."""


def save_page(shop: Shop, items: list[dict]) -> tuple[int, int, list]:
    """Create or update the records of one page of `get_voucher_list`; (created, updated,
    the page's voucher ids in the order listed)."""
    # The backend's adapters looked up once a page, not for each of its 400 values (looking
    # `connection` up goes through a thread-local each time).
    ops = connection.ops
    values = _Values(ops)
    synced = ops.adapt_datetimefield_value(timezone.now())
    # A voucher listed twice is written once, as listed last (what writing the rows one after
    # another left, and one statement may not change a row twice on PostgreSQL).
    rows = {}
    for item in items:
        row = _row(shop.pk, item, synced, values)
        rows[row[1]] = row
    ids = list(rows)
    if not ids:
        return 0, 0, ids
    # No savepoint: a sync records its answers in the dispatcher's transaction, and an error
    # here fails that transaction anyway (two statements fewer a page).
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_existing_sql(len(ids)), [shop.pk, *ids])
            existing = {voucher_id for (voucher_id,) in cursor.fetchall()}
            batch = list(rows.values())
            limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
            size = max(1, limit // len(UPSERT_COLUMNS)) if limit else len(batch)
            for start in range(0, len(batch), size):
                part = batch[start : start + size]
                cursor.execute(
                    _upsert_sql(connection.vendor, len(part)),
                    [value for row in part for value in row],
                )
    return len(ids) - len(existing), len(existing), ids


@lru_cache(maxsize=128)
def _existing_sql(count: int) -> str:
    """The page's vouchers we have already (a page is saved for every list call: its SQL is
    built once per page size, not compiled by the ORM each time)."""
    return (
        f"SELECT {column(Voucher, 'voucher_id')} FROM {table(Voucher)} "  # noqa: S608
        f"WHERE {column(Voucher, 'shop')} = %s "
        f"AND {column(Voucher, 'voucher_id')} IN ({marks(count)})"
    )


@lru_cache(maxsize=128)
def _upsert_sql(vendor: str, count: int) -> str:
    """The page's rows, `count` of them, in one statement (one row of placeholders each)."""
    return upsert(
        Voucher, UPSERT_COLUMNS, conflict=UPSERT_COLUMNS[:2], update=SYNCED_FIELDS, rows=count
    )


class _Values:
    """Shopee's times and amounts as the database takes them, each converted once a page: a
    page's vouchers share few of them, and converting one costs more than looking it up."""

    def __init__(self, ops):
        self.ops = ops
        self.times = {}
        self.amounts = {}

    def time(self, item, name, *, required=False):
        value = item.get(name)
        if type(value) is int and value in self.times:  # not a bool: True is not a time
            return self.times[value]
        if value is None or value == "":
            if required:
                raise NumberError(f"{name} is missing.")
            return None
        adapted = self.ops.adapt_datetimefield_value(parse_unix_time(value, label=name))
        if type(value) is int:
            self.times[value] = adapted
        return adapted

    def amount(self, value):
        if type(value) in (int, float):  # not a bool
            if value not in self.amounts:
                self.amounts[value] = _decimal(value, self.ops)
            return self.amounts[value]
        return _decimal(value, self.ops)


def _row(shop_pk: int, item, synced, values: _Values) -> tuple:
    """One item as the INSERT's parameters, in the order of `UPSERT_COLUMNS`."""
    if not isinstance(item, dict):
        raise MalformedVoucher("a voucher in Shopee's list is not a JSON object")
    try:
        return (
            shop_pk,
            parse_id(item.get("voucher_id"), label="voucher_id"),
            _text(item.get("voucher_code"), 100),
            _text(item.get("voucher_name"), 255),
            _small(item, "voucher_type", SMALLINT_MAX),
            _small(item, "reward_type", SMALLINT_MAX),
            _small(item, "usage_quantity"),
            _small(item, "current_usage"),
            values.time(item, "start_time", required=True),
            values.time(item, "end_time", required=True),
            bool(item.get("is_admin")),
            _small(item, "voucher_purpose", SMALLINT_MAX) or 0,
            values.amount(item.get("discount_amount")),
            _small(item, "percentage"),
            values.time(item, "display_start_time"),
            synced,
        )
    except NumberError as error:
        raise MalformedVoucher(f"voucher {item.get('voucher_id')!r}: {error}") from None


def _small(item, name, maximum=INT32_MAX):
    """An optional whole number that fits its database column."""
    value = item.get(name)
    if type(value) is int and 0 <= value <= maximum:  # what Shopee sends; not a bool
        return value
    if value is None or value == "":
        return None
    return parse_int(value, label=name, maximum=maximum)


def _text(value, length: int) -> str:
    return str(value or "").replace("\x00", "")[:length]


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
