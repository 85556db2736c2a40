"""Selections kept on the server until confirmed (a CSV import can name 100,000 vouchers)."""

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from runs.models import VoucherSelection
from vouchers.models import Voucher

LIFETIME = dt.timedelta(hours=12)
BATCH = 5000


def selection_save(*, voucher_ids: list[int], actor, description: str) -> VoucherSelection:
    """Keep `voucher_ids` (Voucher primary keys) for `actor`; old selections are dropped."""
    VoucherSelection.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    with transaction.atomic():
        selection = VoucherSelection.objects.create(created_by=actor, description=description[:200])
        through = VoucherSelection.vouchers.through
        for start in range(0, len(voucher_ids), BATCH):
            through.objects.bulk_create(
                through(voucherselection_id=selection.pk, voucher_id=pk)
                for pk in voucher_ids[start : start + BATCH]
            )
    return selection


def selection_get(*, public_id: str, actor) -> VoucherSelection | None:
    """The actor's recent selection `public_id`, or None (unknown, someone else's, too old)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return VoucherSelection.objects.filter(
        public_id=public_id, created_by=actor, created_at__gte=timezone.now() - LIFETIME
    ).first()


def selection_vouchers(selection: VoucherSelection):
    """The selection's vouchers as a queryset (a subquery: no list of ids in the SQL)."""
    through = VoucherSelection.vouchers.through
    ids = through.objects.filter(voucherselection_id=selection.pk).values("voucher_id")
    return Voucher.objects.filter(pk__in=ids)
