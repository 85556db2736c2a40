"""The statements the engine runs for every batch it sends, as plain SQL: the records' claims,
the items read with their records and shops, and the items and records marked in flight. Their
SQL is built once per table and batch size (`lru_cache`), not compiled by the ORM for every
batch: at the pace we promise Shopee a batch is one or two calls, and compiling these statements
cost more CPU than running them. The same rows and values as the ORM statements they replace
(`steps.items_claim`, `steps.flights_sending`); instances are built by the model's `from_db()`
with the converters the ORM's compiler would apply (`raw()` cost more than the statement).
"""

import datetime as dt
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections

from runs.models import EndRunItem, ItemState
from shopadmin.sql import column, marks, table
from shops.models import Shop


def records_claim(model, claims: dict, *, now: dt.datetime, until: dt.datetime) -> None:
    """Claim each record of `claims` (record pk -> item pk) for its item until `until`, unless it
    has ended or another item holds an unexpired claim on it."""
    if not claims:
        return
    owners = [value for pair in claims.items() for value in pair]
    params = [*owners, _datetime(until), *claims, _datetime(now), *claims.values()]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(model, len(claims)), params)


def items_read(owners: dict) -> dict:
    """The items of `owners` (item pk -> (its kind's Records, its record's pk)) by pk, each with
    its record and the record's shop, as `select_related(...).in_bulk()` reads them: one SELECT
    per kind of record, the item joined to its record and the record's shop."""
    by_kind = {}  # Records -> item pks
    for pk, (records, _record) in owners.items():
        by_kind.setdefault(records, []).append(pk)
    items = {}
    for records, pks in by_kind.items():
        models = (EndRunItem, records.model, Shop)
        with connection.cursor() as cursor:
            cursor.execute(_joined_sql(records.model, records.item_fk, len(pks)), pks)
            rows = cursor.fetchall()
        for row in rows:
            item, record, shop = _instances(models, row)
            if record is not None:  # None: deleted since the item was read, or none
                record.shop = shop
            setattr(item, records.item_field, record)
            items[item.pk] = item
    return items


def _instances(models, row) -> list:
    """The instances of `models` whose concrete fields follow each other in `row` (None for a
    model whose primary key is NULL: a LEFT JOIN that found no row), each converted as the ORM
    does (`from_db()` with its converters)."""
    current = connections[DEFAULT_DB_ALIAS]
    instances, start = [], 0
    for model in models:
        names = _attnames(model)
        values = list(row[start : start + len(names)])
        start += len(names)
        if values[_pk_index(model)] is None:
            instances.append(None)
            continue
        for index, functions, expression in _converters(model, current.vendor):
            value = values[index]
            for function in functions:
                value = function(value, expression, current)
            values[index] = value
        instances.append(model.from_db(current.alias, names, values))
    return instances


@lru_cache(maxsize=64)
def _pk_index(model) -> int:
    return model._meta.concrete_fields.index(model._meta.pk)


@lru_cache(maxsize=64)
def _attnames(model) -> tuple:
    return tuple(field.attname for field in model._meta.concrete_fields)


@lru_cache(maxsize=64)
def _converters(model, vendor: str) -> tuple:
    """(column index, converters, column) of each concrete field that has converters, as the
    ORM's compiler finds them (`SQLCompiler.get_converters`); one list per model and backend."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        expression = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if functions:
            found.append((index, tuple(functions), expression))
    return tuple(found)


def items_mark_sending(item_pks: list, writes: dict, *, now: dt.datetime) -> None:
    """The items are in flight (one more attempt each), and so are the writes of `writes`
    (model -> its records' pks). In the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_sending_sql(len(item_pks)), [ItemState.SENDING, *item_pks])
        for model, pks in writes.items():
            cursor.execute(_sent_sql(model, len(pks)), [_datetime(now), *pks])


def _datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


@lru_cache(maxsize=256)
def _joined_sql(model, item_fk: str, count: int) -> str:
    """The items of `count` pks with their record (of `model`, by the item's `item_fk`) and its
    shop, every concrete field of the three in order."""
    item, record, shop = table(EndRunItem), table(model), table(Shop)
    columns = ", ".join(
        f"{name}.{column(each, field.name)}"
        for each, name in ((EndRunItem, item), (model, record), (Shop, shop))
        for field in each._meta.concrete_fields
    )
    return (
        f"SELECT {columns} FROM {item} "  # noqa: S608 - our names
        f"LEFT JOIN {record} ON {record}.{column(model, 'id')} = "
        f"{item}.{column(EndRunItem, item_fk)} "
        f"LEFT JOIN {shop} ON {shop}.{column(Shop, 'id')} = {record}.{column(model, 'shop')} "
        f"WHERE {item}.{column(EndRunItem, 'id')} IN ({marks(count)})"
    )


@lru_cache(maxsize=256)
def _claim_sql(model, count: int) -> str:
    pk, item = column(model, "id"), column(model, "end_claim_item")
    until = column(model, "end_claim_until")
    owner = " ".join(["WHEN %s THEN %s"] * count)
    return (
        f"UPDATE {table(model)} SET {item} = CASE {pk} {owner} END, {until} = %s "  # noqa: S608
        f"WHERE {pk} IN ({marks(count)}) AND {column(model, 'ended_at')} IS NULL "
        f"AND ({until} IS NULL OR {until} < %s OR {item} IN ({marks(count)}))"
    )


@lru_cache(maxsize=256)
def _sending_sql(count: int) -> str:
    attempts = column(EndRunItem, "attempts")
    return (
        f"UPDATE {table(EndRunItem)} SET {column(EndRunItem, 'state')} = %s, "  # noqa: S608
        f"{attempts} = {attempts} + 1, {column(EndRunItem, 'next_attempt_at')} = NULL "
        f"WHERE {column(EndRunItem, 'id')} IN ({marks(count)})"
    )


@lru_cache(maxsize=256)
def _sent_sql(model, count: int) -> str:
    return (
        f"UPDATE {table(model)} SET {column(model, 'end_sent_at')} = %s "  # noqa: S608
        f"WHERE {column(model, 'id')} IN ({marks(count)})"
    )
