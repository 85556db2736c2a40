"""Pieces of the few statements we write by hand instead of through the ORM.

Statements on the hot paths (a call log row per Shopee call, a run's per-batch writes, a list
page's upsert) are built once per table and size and cached by their modules: compiling the ORM's
query for each one cost more CPU than running it. These pieces name tables and columns as the
ORM would (quoted by the backend) and prepare values with the model's own fields, so the rows
are the ones the ORM would write.
"""

import datetime as dt
import json
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def table(model) -> str:
    """The model's table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str) -> str:
    """The column of the model's field `name` ("shop" gives "shop_id"), quoted."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def marks(count: int) -> str:
    """`count` placeholders, comma-separated."""
    return ", ".join(["%s"] * count)


def upsert(model, names, *, conflict, update, rows: int = 1) -> str:
    """INSERT of `rows` rows of the fields `names` that updates the fields `update` of a row
    already there (its `conflict` fields unique): ``INSERT ... ON CONFLICT DO UPDATE``, which
    SQLite and PostgreSQL both have."""
    row = f"({marks(len(names))})"
    columns = ", ".join(column(model, name) for name in names)
    keys = ", ".join(column(model, name) for name in conflict)
    sets = ", ".join(f"{column(model, name)} = excluded.{column(model, name)}" for name in update)
    return (
        f"INSERT INTO {table(model)} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608
        f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    )


@cache
def insert_fields(model) -> tuple:
    """The fields an INSERT writes: every concrete one but the primary key."""
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


# The fields whose values the hot statements prepare without the ORM's whole path (a call of
# `get_db_prep_save()` checks and converts a value through four or five methods): only these
# classes, not their subclasses, which may prepare values their own way. Each gives the same
# value as the ORM on every backend (tests/test_sql.py compares them).
_AS_IS = {  # a value of exactly this type, or None, is saved as it is
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.AutoField: int,
    models.BigAutoField: int,
}
_INTEGERS = {  # an int is adapted by the backend (PostgreSQL types it by the column's size)
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
}
_PREPARERS = {}  # id(field) -> its preparer (a model's fields live as long as the process)


def _preparer(field):
    """A function (value, connection) -> the value as `field` saves it."""
    preparer = _PREPARERS.get(id(field))
    if preparer is None:
        preparer = _PREPARERS[id(field)] = _new_preparer(field)
    return preparer


def _new_preparer(field):
    orm = field.get_db_prep_save
    # A foreign key's value is its target's.
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kind = type(target)
    if kind in _AS_IS:
        plain = _AS_IS[kind]

        def as_is(value, current):
            if value is None or type(value) is plain:
                return value
            return orm(value, current)

        return as_is
    if kind in _INTEGERS:
        internal = target.get_internal_type()

        def integer(value, current):
            if type(value) is int:
                return current.ops.adapt_integerfield_value(value, internal)
            return value if value is None else orm(value, current)

        return integer
    if kind is models.DateTimeField:

        def moment(value, current):
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return current.ops.adapt_datetimefield_value(value)
            # None as it is; a naive datetime the ORM's way (it warns and makes it aware).
            return value if value is None else orm(value, current)

        return moment
    return orm


def prepared(fields, values) -> list:
    """`values` as the database takes them, each by its field (as the ORM saves them)."""
    # The thread's connection itself, looked up once: `connection` looks it up again (through
    # a thread-local) for every attribute the fields read.
    current = connections[DEFAULT_DB_ALIAS]
    return [_preparer(field)(value, current) for field, value in zip(fields, values, strict=True)]


def prepared_row(fields, instance) -> list:
    """The values of `instance`'s `fields`, as the database takes them."""
    return prepared(fields, [getattr(instance, field.attname) for field in fields])


def json_text(text: str):
    """A JSON column's value from JSON `text` we already have and checked (Shopee's answer,
    parsed): stored as it is instead of parsed and dumped again, through the backend's own
    adapter (JSON text on SQLite, jsonb on PostgreSQL)."""
    return connections[DEFAULT_DB_ALIAS].ops.adapt_json_value(_Text(text), _TextEncoder)


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _TextEncoder(json.JSONEncoder):
    def encode(self, o):
        return o.text if isinstance(o, _Text) else super().encode(o)
