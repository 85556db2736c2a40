"""Items finished together: a batch of answers' items put in their final states, and their
records let go of (with what the answers changed), in one statement run for every item
(executemany) plus one per kind of record and set of changes, without compiling an ORM query
each time. The same rows and values as `steps.item_finish()` for each alone."""

from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from runs.models import EndRunItem
from shopadmin.sql import column, prepared, table

ITEM_COLUMNS = ("state", "reason", "error", "request_id", "finished_at", "next_attempt_at")


def items_finish_many(finishes) -> None:
    """`finishes`: (flight, state, fields) each, `fields` as `item_finish()` takes them
    (reason, error, request_id, then the record's changes). In one transaction (the caller's
    if any); a record is changed only while the item still holds its claim."""
    if not finishes:
        return
    now = timezone.now()
    item_fields = [EndRunItem._meta.get_field(name) for name in ITEM_COLUMNS]
    items, records = [], {}
    for flight, state, fields in finishes:
        changes = dict(fields)
        values = (
            state,
            changes.pop("reason", ""),
            changes.pop("error", ""),
            changes.pop("request_id", ""),
            now,
            None,
        )
        items.append(prepared(item_fields, values) + [flight.item.pk])
        model = flight.records.model
        names = ("end_claim_item", "end_claim_until", *sorted(changes))
        values = (None, None, *(changes[name] for name in names[2:]))
        record_pk = getattr(flight.item, flight.records.item_fk)
        row = prepared([model._meta.get_field(name) for name in names], values)
        records.setdefault((model, names), []).append(row + [record_pk, flight.item.pk])
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.executemany(_update_sql(EndRunItem, ITEM_COLUMNS, claimed=False), items)
        for (model, names), rows in records.items():
            cursor.executemany(_update_sql(model, names, claimed=True), rows)
    for flight, state, _fields in finishes:
        flight.item.state = state


@lru_cache(maxsize=64)
def _update_sql(model, names: tuple, *, claimed: bool) -> str:
    assignments = ", ".join(f"{column(model, name)} = %s" for name in names)
    where = f"{column(model, model._meta.pk.name)} = %s"
    if claimed:
        where += f" AND {column(model, 'end_claim_item')} = %s"
    return f"UPDATE {table(model)} SET {assignments} WHERE {where}"  # noqa: S608
