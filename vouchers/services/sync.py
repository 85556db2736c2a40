"""Keeping voucher records in step with Shopee."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from vouchers.models import Shop, Voucher
from vouchers.services.shop_api import shop_call
from vouchers.shopee import api
from vouchers.shopee.client import ShopeeClient, get_client

# get_voucher_list accepts page_no 1..5000 (shopee-api.md section 5).
MAX_PAGES = 5000

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


@dataclass
class SyncResult:
    shop: Shop
    created: int = 0
    updated: int = 0
    pages: int = 0

    @property
    def total(self):
        return self.created + self.updated


def shop_vouchers_sync(
    *, shop: Shop, actor=None, actor_label: str = "", client: ShopeeClient | None = None
) -> SyncResult:
    """Page through the shop's vouchers at Shopee (status `all`) and create or update records.

    Each page is one audited call, made outside any transaction; its records are then written in
    a short transaction of their own. Raises ShopUnavailable or ShopeeError on failure; pages
    already saved stay saved.
    """
    client = client or get_client()
    result = SyncResult(shop=shop)
    for page_no in range(1, MAX_PAGES + 1):
        answer = shop_call(
            client=client,
            shop=shop,
            api=api.get_voucher_list(status="all", page_no=page_no),
            actor=actor,
            actor_label=actor_label,
        )
        payload = answer.response or {}
        created, updated = _save_page(shop, payload.get("voucher_list") or [])
        result.created += created
        result.updated += updated
        result.pages = page_no
        if not payload.get("more"):
            break
    Shop.objects.filter(pk=shop.pk).update(vouchers_synced_at=timezone.now())
    return result


def _save_page(shop: Shop, items: list[dict]) -> tuple[int, int]:
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
