"""Promotion records from Shopee's lists: one page of one kind, saved at once.

Each row is read by its kind (`record_fields`, which refuses a malformed row naming the field);
a page with a malformed row saves nothing. Rows are written with one INSERT ... ON CONFLICT
(kind, shop, promotion_id) DO UPDATE (`bulk_create(update_conflicts=True)`), so two reads of the
same shop at once cannot collide. A read clears `stale` (a push's "changed") and sets
`synced_at`. A kind whose list cannot say that Shopee manages a promotion (bundle deals) keeps
the `shopee_managed` a refusal taught us.
"""

from dataclasses import dataclass, field

from django.db import transaction

from promotions.models import Promotion
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
    with transaction.atomic(savepoint=False):
        existing = set(
            Promotion.objects.filter(
                kind=kind.name, shop=shop, promotion_id__in=list(by_id)
            ).values_list("promotion_id", flat=True)
        )
        Promotion.objects.bulk_create(
            records,
            update_conflicts=True,
            unique_fields=["kind", "shop", "promotion_id"],
            update_fields=update,
        )
    saved.created = len(set(by_id) - existing)
    saved.updated = len(existing)
    return saved
