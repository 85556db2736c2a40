"""How a run reaches the records of a kind of promotion: the seam between the engine and a kind.

The engine asks the kind plug-in (`promotions.services.kinds.kind_named(item.kind)`) what to
send and what an answer means; it asks this module where the kind's records are kept: the model
(`kind.record_model`), the item's link to it (`EndRunItem.voucher` or `.promotion`), the field
with Shopee's id, the label staff know, the condition "managed by Shopee" in SQL, the call-log
rows about one record (Shopee's lists of every kind are read in one pass by
`promotions.services.sync.shops_kinds_sync`, see `reads.py`). Two stores: vouchers (their own
table) and promotions (one table for every other kind). Nothing here, nor in the engine, says
`if kind == ...`.
"""

from functools import cache

from django.db.models import Q
from django.db.models.functions import Substr

from promotions.models import Promotion
from promotions.services.kinds import kind_named
from runs.models import EndRunItem
from vouchers.models import Voucher
from vouchers.services.kinds.voucher import shopee_managed

LIVE_STATUSES = ("ongoing", "upcoming")


class Records:
    """A store of records (one model) for a kind. Subclasses name the model's fields."""

    model = None
    item_field = ""  # EndRunItem's foreign key to the model
    label_field = ""  # what `EndRunItem.voucher_code` copies
    name_field = ""  # what a rule's `name_contains` searches

    def __init__(self, kind):
        self.kind = kind
        self.id_field = kind.record_id_field

    @property
    def item_fk(self) -> str:
        return f"{self.item_field}_id"

    def shopee_id(self, record) -> int:
        return getattr(record, self.id_field)

    def label(self, record) -> str:
        return getattr(record, self.label_field) or ""

    def queryset(self):
        """The kind's records."""
        return self.kind.records()

    def fields(self, record) -> dict:
        """The record as the kind's `record_fields` (what `skip_reason` reads)."""
        return {
            "promotion_id": self.shopee_id(record),
            "start_time": record.start_time,
            "end_time": record.end_time,
            "shopee_status": getattr(record, "shopee_status", ""),
            "shopee_managed": bool(record.shopee_managed),
            "details": getattr(record, "details", None) or {},
        }

    def managed(self, path: str = "") -> Q:
        """Our copy says Shopee manages it (a condition on records, or on `path` to one)."""
        return Q(**{f"{path}shopee_managed": True})

    def audit_voucher(self, record):
        """What the call log's voucher column links (only vouchers have one)."""
        return None

    def calls_about(self, records) -> Q:
        """A condition on call-log rows: those about any of `records` (of one shop or more)."""
        condition = Q(pk__in=[])
        for record in records:
            shopee_id = self.shopee_id(record)
            condition |= Q(shop_shopee_id=record.shop.shop_id) & (
                Q(**{f"request__query__{self.kind.id_field}": shopee_id})
                | Q(**{f"request__body__{self.kind.id_field}": shopee_id})
            )
        return condition

    def managed_changes(self) -> dict:
        """What to keep on a record that Shopee refused as managed by Shopee."""
        return {"shopee_managed": True}

    def label_expression(self):
        """SQL: the item's `voucher_code` (100 characters) from a record."""
        return Substr(self.label_field, 1, 100)

    def rule_matches(self, queryset, rule: dict):
        """The records of `queryset` that a run's rule names (its words, its time window)."""
        if rule.get("name_contains"):
            queryset = queryset.filter(**{f"{self.name_field}__icontains": rule["name_contains"]})
        window = list(rule.get("window") or []) + [None, None]
        if window[0]:
            queryset = queryset.filter(end_time__gt=window[0])
        if window[1]:
            queryset = queryset.filter(start_time__lt=window[1])
        return queryset


class VoucherRecords(Records):
    model = Voucher
    item_field = "voucher"
    label_field = "voucher_code"
    name_field = "voucher_name"

    def label_expression(self):
        return "voucher_code"  # a column as it is

    def rule_matches(self, queryset, rule):
        if rule.get("code_prefix"):
            queryset = queryset.filter(voucher_code__istartswith=rule["code_prefix"])
        return super().rule_matches(queryset, rule)

    def managed(self, path: str = "") -> Q:
        return shopee_managed(path)

    def audit_voucher(self, record):
        return record

    def calls_about(self, records) -> Q:
        return Q(voucher_shopee_id__in=[record.voucher_id for record in records])

    def managed_changes(self) -> dict:
        return {}  # its list says so (is_admin, purpose): the next read keeps it


class PromotionRecords(Records):
    model = Promotion
    item_field = "promotion"
    label_field = "name"
    name_field = "name"


STORES = (VoucherRecords, PromotionRecords)
_BY_MODEL = {store.model: store for store in STORES}


@cache
def records_of(kind_name: str) -> Records:
    """The store of the kind named `kind_name` (an item's `kind`)."""
    kind = kind_named(kind_name)
    return _BY_MODEL[kind.record_model](kind)


def record_of(item: EndRunItem, records: Records):
    """The item's record as loaded with it (None when it was deleted since)."""
    return getattr(item, records.item_field)


def item_record_fields() -> list[str]:
    """`select_related` paths to every store's record and its shop."""
    return [f"{store.item_field}__shop" for store in STORES]


def item_record_ids() -> list[str]:
    """EndRunItem columns holding the record of each store."""
    return [f"{store.item_field}_id" for store in STORES]
