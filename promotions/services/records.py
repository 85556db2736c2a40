"""Promotion records from Shopee's lists: one page of one kind, saved at once.

Each row is read by its kind (`record_fields`, which refuses a malformed row naming the field);
a page with a malformed row saves nothing. Rows are written with one INSERT ... ON CONFLICT
(kind, shop, promotion_id) DO UPDATE, the statement `bulk_create(update_conflicts=True)` writes,
so two reads of the same shop at once cannot collide. Its SQL is built once (a page is saved for
every list call, and the ORM compiling it cost more than the call), its values prepared by the
model's own fields. A read clears `stale` (a push's "changed") and sets
`synced_at`. A kind whose list cannot say that Shopee manages a promotion (bundle deals) keeps
the `shopee_managed` a refusal taught us.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction

from promotions.models import Promotion
from shopadmin.sql import column, insert_fields, marks, prepared_row, table, upsert
from shops.models import Shop
from vouchers.services.kinds.base import PromotionKind

# Written by a read (besides kind, shop and promotion_id).
READ_FIELDS = [
    "name",
    "start_time",
    "end_time",
    "shopee_status",
    "shopee_managed",
    "details",
    "synced_at",
    "stale",
]


@dataclass
class SavedPage:
    created: int = 0
    updated: int = 0
    listed: dict = field(default_factory=dict)  # Shopee id -> status as listed


def promotions_save_page(
    shop: Shop, kind: PromotionKind, rows: list, read_at, *, list_status: str = ""
) -> SavedPage:
    """Create or update `kind`'s records of `shop` from one page of its list, read at
    `read_at`. `listed` maps each row's Shopee id to `list_status` (the filter it was listed
    under), or to the kind's word for a listed one that is not live (a switched-off flash sale).
    Raises MalformedRecord, saving nothing of the page. Runs in the caller's transaction (the
    dispatcher's) without a savepoint: an error here fails it anyway."""
    by_id = {}
    for row in rows:
        fields = kind.record_fields(row)
        by_id[fields["promotion_id"]] = fields
    saved = SavedPage()
    if not by_id:
        return saved
    for promotion_id, fields in by_id.items():
        saved.listed[promotion_id] = kind.listed_status(fields, list_status)
    records = [
        Promotion(kind=kind.name, shop=shop, synced_at=read_at, stale=False, **fields)
        for fields in by_id.values()
    ]
    update = [
        name
        for name in READ_FIELDS
        if kind.list_shows_managed or name != "shopee_managed"  # keep what a refusal taught
    ]
    ids = list(by_id)
    values = [prepared_row(insert_fields(Promotion), record) for record in records]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_existing_sql(len(ids)), [kind.name, shop.pk, *ids])
        existing = {promotion_id for (promotion_id,) in cursor.fetchall()}
        cursor.executemany(_upsert_sql(tuple(update)), values)
    saved.created = len(set(by_id) - existing)
    saved.updated = len(existing)
    return saved


@lru_cache(maxsize=128)
def _existing_sql(count: int) -> str:
    return (
        f"SELECT {column(Promotion, 'promotion_id')} FROM {table(Promotion)} "  # noqa: S608
        f"WHERE {column(Promotion, 'kind')} = %s AND {column(Promotion, 'shop')} = %s "
        f"AND {column(Promotion, 'promotion_id')} IN ({marks(count)})"
    )


@lru_cache(maxsize=8)
def _upsert_sql(update: tuple) -> str:
    names = [field.name for field in insert_fields(Promotion)]
    return upsert(Promotion, names, conflict=("kind", "shop", "promotion_id"), update=update)
