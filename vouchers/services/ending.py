"""Ending vouchers on Shopee.

`vouchers_end_plan()` decides, without any call, which of a selection can be ended and why the
others are skipped; the confirmation page shows it. `vouchers_end_bulk()` then ends the endable
ones one call at a time. A voucher is marked ended only after Shopee said so; every call leaves
an audit row (see `vouchers.services.audit`). No transaction is held across a call.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from vouchers.models import Shop, Voucher
from vouchers.models.voucher import VoucherStatus
from vouchers.services.shop_api import shop_call
from vouchers.services.shops import ShopUnavailable
from vouchers.shopee import api, errors
from vouchers.shopee.client import ShopeeClient, get_client
from vouchers.shopee.errors import ShopeeError

SKIP_UPCOMING = "Upcoming: it has not started yet, and Shopee can only end ongoing vouchers."
SKIP_EXPIRED = "Expired: it has already ended."
SKIP_SHOP_REAUTH = (
    "Its shop needs re-authorization by the seller: reconnect the shop from the shop list first."
)
SKIP_SHOPEE_MANAGED = (
    "Managed by Shopee (created in Shopee's admin, or a shop game, follow prize or membership "
    "voucher): Shopee does not allow ending it."
)


@dataclass
class ShopPlan:
    shop: Shop
    endable: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


@dataclass
class EndPlan:
    """What ending a selection would do: the endable vouchers and the skipped ones, with why."""

    endable: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (voucher, reason)
    shops: list = field(default_factory=list)  # ShopPlan, by shop name

    def skipped_by_reason(self) -> dict:
        counts = defaultdict(int)
        for _voucher, reason in self.skipped:
            counts[reason] += 1
        return dict(counts)


def voucher_skip_reason(voucher: Voucher, now) -> str | None:
    """Why `voucher` cannot be ended at `now`, or None when it can."""
    if voucher.ended_at:
        who = voucher.ended_by.get_username() if voucher.ended_by else "someone"
        return f"Already ended by {who} on {date_format(voucher.ended_at, 'DATETIME_FORMAT')}."
    status = voucher.status_at(now)
    if status == VoucherStatus.UPCOMING:
        return SKIP_UPCOMING
    if status == VoucherStatus.EXPIRED:
        return SKIP_EXPIRED
    if voucher.shopee_managed:
        return SKIP_SHOPEE_MANAGED
    if voucher.shop.needs_reauth:
        return SKIP_SHOP_REAUTH
    return None


def vouchers_end_plan(*, vouchers, now=None) -> EndPlan:
    """Sort `vouchers` (a queryset or list) into endable and skipped ones. Makes no call."""
    now = now or timezone.now()
    if hasattr(vouchers, "select_related"):
        vouchers = vouchers.select_related("shop", "ended_by").order_by("shop__name", "voucher_id")
    plan = EndPlan()
    shops = {}
    for voucher in vouchers:
        shop_plan = shops.setdefault(voucher.shop_id, ShopPlan(shop=voucher.shop))
        reason = voucher_skip_reason(voucher, now)
        if reason:
            plan.skipped.append((voucher, reason))
            shop_plan.skipped.append((voucher, reason))
        else:
            plan.endable.append(voucher)
            shop_plan.endable.append(voucher)
    plan.shops = sorted(shops.values(), key=lambda item: (item.shop.name, item.shop.shop_id))
    return plan


@dataclass
class EndOutcome:
    voucher: Voucher
    ended: bool
    request_id: str = ""
    error: str = ""  # Shopee's error code, or a short code of ours when no answer came
    message: str = ""
    kind: str = ""  # how the failure is handled, see vouchers.shopee.errors
    called: bool = True  # False when no request was sent for this voucher


@dataclass
class EndReport:
    batch_id: uuid.UUID
    outcomes: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (voucher, reason)

    @property
    def ended(self):
        return [outcome for outcome in self.outcomes if outcome.ended]

    @property
    def not_ended(self):
        return [outcome for outcome in self.outcomes if not outcome.ended]


def voucher_end(
    *,
    voucher: Voucher,
    actor,
    client: ShopeeClient,
    batch_id: uuid.UUID | None = None,
    attempt: int = 1,
) -> EndOutcome:
    """End one voucher at Shopee; mark it ended only if Shopee answered with success.

    Raises nothing for Shopee's refusals or failures: they come back in the outcome (and in the
    audit rows). Must run outside a transaction.
    """
    try:
        answer = shop_call(
            client=client,
            shop=voucher.shop,
            api=api.end_voucher(voucher_id=voucher.voucher_id),
            actor=actor,
            voucher=voucher,
            batch_id=batch_id,
            attempt=attempt,
        )
    except ShopUnavailable as error:
        return EndOutcome(
            voucher=voucher,
            ended=False,
            error="not_sent",
            message=str(error),
            kind=errors.AUTHORIZATION,
            called=False,
        )
    except ShopeeError as error:
        return EndOutcome(
            voucher=voucher,
            ended=False,
            request_id=error.request_id,
            error=error.error or "no_answer",
            message=error.message,
            kind=error.kind,
        )
    now = timezone.now()
    with transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(
            ended_at=now, ended_by=actor, end_time=min(voucher.end_time, now)
        )
    return EndOutcome(voucher=voucher, ended=True, request_id=answer.request_id)


def vouchers_end_bulk(*, vouchers, actor, client: ShopeeClient | None = None) -> EndReport:
    """End every endable voucher of `vouchers`, shop by shop, and report what happened.

    Raises ShopeeConfigError before any call when the Shopee settings are missing or invalid.
    A shop without a usable token fails for its own vouchers only; a configuration error from
    Shopee (wrong partner key, bad clock) stops the batch, since every further call would fail.
    """
    client = client or get_client()
    plan = vouchers_end_plan(vouchers=vouchers)
    report = EndReport(batch_id=uuid.uuid4(), skipped=plan.skipped)
    stop_reason = None
    for shop_plan in plan.shops:
        for index, voucher in enumerate(shop_plan.endable):
            if stop_reason:
                report.outcomes += _not_sent(shop_plan.endable[index:], stop_reason)
                break
            outcome = voucher_end(
                voucher=voucher, actor=actor, client=client, batch_id=report.batch_id
            )
            report.outcomes.append(outcome)
            if outcome.kind == errors.CONFIGURATION:
                stop_reason = f"Not attempted: an earlier call failed ({outcome.message})"
            elif outcome.kind == errors.AUTHORIZATION:
                reason = f"Not attempted: this shop cannot be called ({outcome.message})"
                report.outcomes += _not_sent(shop_plan.endable[index + 1 :], reason)
                break
    return report


def _not_sent(vouchers, message):
    return [
        EndOutcome(voucher=voucher, ended=False, error="not_sent", message=message, called=False)
        for voucher in vouchers
    ]
