"""Voucher records from Shopee's answers: converting list items and saving a page of them."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from vouchers.models import Shop, Voucher

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


def save_page(shop: Shop, items: list[dict]) -> tuple[int, int]:
    """Create or update the records of one page of `get_voucher_list`; (created, updated)."""
    now = timezone.now()
    records = [_voucher_from_shopee(shop, item, now) for item in items]
    ids = [record.voucher_id for record in records]
    with transaction.atomic():
        existing = set(
            Voucher.objects.filter(shop=shop, voucher_id__in=ids).values_list(
                "voucher_id", flat=True
            )
        )
        Voucher.objects.bulk_create(
            records,
            update_conflicts=True,
            unique_fields=["shop", "voucher_id"],
            update_fields=SYNCED_FIELDS,
        )
    return len(set(ids) - existing), len(existing)


def _voucher_from_shopee(shop: Shop, item: dict, now) -> Voucher:
    return Voucher(
        shop=shop,
        voucher_id=int(item["voucher_id"]),
        voucher_code=str(item.get("voucher_code") or ""),
        voucher_name=str(item.get("voucher_name") or ""),
        voucher_type=item.get("voucher_type"),
        reward_type=item.get("reward_type"),
        usage_quantity=item.get("usage_quantity"),
        current_usage=item.get("current_usage"),
        start_time=_from_unix(item["start_time"]),
        end_time=_from_unix(item["end_time"]),
        is_admin=bool(item.get("is_admin")),
        voucher_purpose=int(item.get("voucher_purpose") or 0),
        discount_amount=_decimal(item.get("discount_amount")),
        percentage=item.get("percentage"),
        display_start_time=_from_unix(item.get("display_start_time")),
        synced_at=now,
    )


def _from_unix(value):
    if value in (None, ""):
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
