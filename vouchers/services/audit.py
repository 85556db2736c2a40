"""The only writer of the Shopee call log (`ShopeeCall`).

`shopee_call()` is the service every Shopee request goes through. It must be called outside any
database transaction: the pending row is committed before the request leaves, so a process that
dies mid-call still leaves a trace, and the outcome is recorded in a short write afterwards.
"""

import uuid

from django.utils import timezone

from vouchers.models import Shop, ShopeeCall, Voucher
from vouchers.models.audit import CallOutcome
from vouchers.shopee.api import ApiCall
from vouchers.shopee.client import ShopAuth, ShopeeClient, ShopeeResult
from vouchers.shopee.errors import ShopeeError


def shopee_call(
    *,
    client: ShopeeClient,
    api: ApiCall,
    actor=None,
    actor_label: str = "",
    shop: Shop | None = None,
    shop_auth: ShopAuth | None = None,
    voucher: Voucher | None = None,
    batch_id: uuid.UUID | None = None,
    attempt: int = 1,
) -> ShopeeResult:
    """Send one request to Shopee and record it. Returns the answer or re-raises its ShopeeError.

    `actor` is the user acting (None for commands and tasks, which pass `actor_label`).
    """
    prepared = client.prepare(api, shop=shop_auth)
    row = ShopeeCall.objects.create(
        started_at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor else (actor_label or "system"),
        shop=shop,
        shop_shopee_id=shop.shop_id if shop else prepared.shop_id,
        shop_name=shop.name if shop else "",
        voucher=voucher,
        voucher_shopee_id=voucher.voucher_id if voucher else _voucher_id_of(api),
        voucher_code=voucher.voucher_code if voucher else "",
        batch_id=batch_id,
        endpoint=api.path,
        method=api.method,
        attempt=attempt,
        request=prepared.redacted(),
    )
    try:
        result = client.send(prepared)
    except ShopeeError as error:
        _finish(
            row,
            outcome=CallOutcome.REFUSED if error.error else CallOutcome.FAILED,
            error_kind=error.kind,
            http_status=error.http_status,
            request_id=error.request_id,
            error=error.error,
            message=error.message,
            response=error.response,
            duration_ms=error.duration_ms,
        )
        raise
    _finish(
        row,
        outcome=CallOutcome.SUCCESS,
        http_status=result.http_status,
        request_id=result.request_id,
        message=result.message,
        response=result.redacted_body(),
        duration_ms=result.duration_ms,
    )
    return result


def _finish(row: ShopeeCall, **fields):
    fields["finished_at"] = timezone.now()
    ShopeeCall.objects.filter(pk=row.pk).update(**fields)


def _voucher_id_of(api: ApiCall):
    for params in (api.body or {}, api.query):
        value = params.get("voucher_id")
        if isinstance(value, int):
            return value
    return None
