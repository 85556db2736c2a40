"""Applying a push message once, and the one writer of the push log (`ShopeePush`)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import ShopeePush
from audit.models.pushes import PushOutcome
from core.parsing import NumberError, parse_int, parse_unix_time
from shopee.redaction import redact
from shops.models import Shop
from shops.services.push.handlers import push_handler
from shops.services.push.message import (
    CODE_AUTHORIZED,
    CODE_CANCELLED,
    CODE_EXPIRING,
    CODE_VERIFY,
    PushMessage,
    storable,
)
from shops.services.shops import shop_mark_needs_reauth


def push_apply(message: PushMessage, *, body, **context) -> ShopeePush:
    """Apply `message` unless it was applied before, and log it (one short transaction).

    "Before" is any taken row with the same fingerprint, pushed or fetched as lost, except
    malformed and duplicate rows; so the same message applies once whichever way it came."""
    with transaction.atomic():
        seen = ShopeePush.objects.filter(
            fingerprint=message.fingerprint, signature_valid=True
        ).exclude(outcome__in=[PushOutcome.MALFORMED, PushOutcome.DUPLICATE])
        if seen.exists():
            outcome, detail = PushOutcome.DUPLICATE, "Already received: not applied again."
        else:
            outcome, detail = _effects(message)
        return push_log(
            **context,
            body=redact(body),
            code=message.code,
            shop_shopee_id=message.shop_id,
            pushed_at=message.pushed_at,
            fingerprint=message.fingerprint,
            outcome=outcome,
            detail=detail,
        )


def push_log(**fields) -> ShopeePush:
    """The one writer of the push log."""
    return ShopeePush.objects.create(**storable(fields))


def _effects(message: PushMessage) -> tuple[str, str]:
    if message.code == CODE_VERIFY:
        return PushOutcome.VERIFICATION, "Shopee's verification push: answered."
    handler = push_handler(message.code)
    if handler is not None:
        return handler(message)
    if message.code not in (CODE_AUTHORIZED, CODE_CANCELLED, CODE_EXPIRING):
        return PushOutcome.IGNORED, f"Push code {message.code} is not used by shopadmin."
    shop_ids, merchant_ids = _listed(message)
    shops = list(Shop.objects.filter(Q(shop_id__in=shop_ids) | Q(merchant_id__in=merchant_ids)))
    listed = ", ".join(str(i) for i in sorted(shop_ids)) or "none"
    if not shops:
        return PushOutcome.IGNORED, f"No shop of ours is concerned (shops listed: {listed})."
    current = [shop for shop in shops if not _stale(shop, message)]
    stale = [shop for shop in shops if shop not in current]
    names = ", ".join(str(shop) for shop in current) or "none"
    notes = f" Ignored as older than their latest authorization: {_names(stale)}." if stale else ""
    if message.code == CODE_AUTHORIZED:
        Shop.objects.filter(pk__in=[s.pk for s in current]).update(
            authorization_expiry_notice_at=None
        )
        return PushOutcome.APPLIED, f"Shopee reports authorized: {names}.{notes}"
    if message.code == CODE_CANCELLED:
        when = message.pushed_at or timezone.now()
        for shop in current:
            shop_mark_needs_reauth(
                shop=shop,
                reason="the seller cancelled the authorization "
                f"(Shopee push of {when:%Y-%m-%d %H:%M} UTC)",
            )
        detail = f"Authorization cancelled, flagged for re-authorization: {names}.{notes}"
        return PushOutcome.APPLIED, detail
    fields = {"authorization_expiry_notice_at": timezone.now()}
    ends = _unix(message.data.get("expire_before"))
    if ends is not None:
        fields["authorization_expires_at"] = ends
    Shop.objects.filter(pk__in=[s.pk for s in current]).update(**fields)
    until = f" (ends by {ends:%Y-%m-%d %H:%M} UTC)" if ends else ""
    return PushOutcome.APPLIED, f"Authorization ends within 7 days{until}: {names}.{notes}"


def _listed(message: PushMessage) -> tuple[set[int], set[int]]:
    data = message.data
    shop_ids = _ids(data.get("shop_id_list")) | _ids(data.get("shop_expire_soon"))
    shop_ids |= _ids([data.get("shop_id"), message.shop_id])
    merchant_ids = _ids(data.get("merchant_id_list")) | _ids(data.get("merchant_expire_soon"))
    merchant_ids |= _ids([data.get("merchant_id")])
    return shop_ids, merchant_ids


def _stale(shop: Shop, message: PushMessage) -> bool:
    pushed = message.pushed_at
    return pushed is not None and shop.authorized_at is not None and shop.authorized_at > pushed


def _ids(values) -> set[int]:
    if not isinstance(values, list):
        return set()
    ids = set()
    for value in values:
        try:
            ids.add(parse_int(value, minimum=1))
        except NumberError:
            continue
    return ids


def _names(shops) -> str:
    return ", ".join(str(shop) for shop in shops)


def _unix(value):
    try:
        return parse_unix_time(value)
    except NumberError:
        return None
