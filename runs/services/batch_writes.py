"""The two writes the engine makes for every batch it sends, as plain statements: the records'
claims, and the items and records marked in flight. Their SQL is built once per table and batch
size (`lru_cache`), not compiled by the ORM for every batch: at the pace we promise Shopee, a
batch is one or two calls, and compiling these UPDATEs cost more CPU than running them. The same
rows and values as the ORM statements they replace (`steps.items_claim`, `steps.flights_sending`).
"""

import datetime as dt
from functools import lru_cache

from django.db import connection

from runs.models import EndRunItem, ItemState


def records_claim(model, claims: dict, *, now: dt.datetime, until: dt.datetime) -> None:
    """Claim each record of `claims` (record pk -> item pk) for its item until `until`, unless it
    has ended or another item holds an unexpired claim on it."""
    if not claims:
        return
    owners = [value for pair in claims.items() for value in pair]
    params = [*owners, _datetime(until), *claims, _datetime(now), *claims.values()]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(model, len(claims)), params)


def items_mark_sending(item_pks: list, writes: dict, *, now: dt.datetime) -> None:
    """The items are in flight (one more attempt each), and so are the writes of `writes`
    (model -> its records' pks). In the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_sending_sql(len(item_pks)), [ItemState.SENDING, *item_pks])
        for model, pks in writes.items():
            cursor.execute(_sent_sql(model, len(pks)), [_datetime(now), *pks])


def _datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


@lru_cache(maxsize=256)
def _claim_sql(model, count: int) -> str:
    pk, item = _column(model, "id"), _column(model, "end_claim_item")
    until = _column(model, "end_claim_until")
    owner = " ".join(["WHEN %s THEN %s"] * count)
    return (
        f"UPDATE {_table(model)} SET {item} = CASE {pk} {owner} END, {until} = %s "  # noqa: S608
        f"WHERE {pk} IN ({_marks(count)}) AND {_column(model, 'ended_at')} IS NULL "
        f"AND ({until} IS NULL OR {until} < %s OR {item} IN ({_marks(count)}))"
    )


@lru_cache(maxsize=256)
def _sending_sql(count: int) -> str:
    attempts = _column(EndRunItem, "attempts")
    return (
        f"UPDATE {_table(EndRunItem)} SET {_column(EndRunItem, 'state')} = %s, "  # noqa: S608
        f"{attempts} = {attempts} + 1, {_column(EndRunItem, 'next_attempt_at')} = NULL "
        f"WHERE {_column(EndRunItem, 'id')} IN ({_marks(count)})"
    )


@lru_cache(maxsize=256)
def _sent_sql(model, count: int) -> str:
    return (
        f"UPDATE {_table(model)} SET {_column(model, 'end_sent_at')} = %s "  # noqa: S608
        f"WHERE {_column(model, 'id')} IN ({_marks(count)})"
    )
