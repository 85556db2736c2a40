"""One item of a run: what to send for it, and what Shopee's answer (or its absence) means.

`flight_prepare()` runs in the dispatcher thread: it claims the voucher (one run at a time may
call Shopee for a voucher) and decides what to send for the item's action (`end_voucher`,
`delete_voucher` or `update_voucher`) or, when an earlier write's answer was lost, `get_voucher`
to reconcile. The dispatcher signs it and commits the pending audit row together with the
item's `sending` state (`Flight.mark_sending`), before anything is sent. The `*_succeeded` and
`reconcile_answered` functions record what an answer means. All keep their transactions short;
none touches the network.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.utils import timezone

from dispatch.services.dispatcher import Call
from runs.models import EndRunItem, ItemAction, ItemState
from runs.services.unanswered import calls_unanswered_close_checked
from vouchers.models import Voucher
from vouchers.services.kinds import base as verdicts
from vouchers.services.kinds.voucher import SKIP_EXPIRED, SKIP_UPCOMING, VOUCHER, ends_sooner

END = "end"
DELETE = "delete"
SET_END = "set_end"
RECONCILE = "reconcile"
CLAIM_SECONDS = 300


@dataclass
class Flight:
    item: EndRunItem
    voucher: Voucher
    kind: str
    row: object = None  # the call's audit row

    def mark_sending(self, row) -> None:
        """In the audit row's transaction: the item is in flight, and so is a write."""
        flights_sending([self], [row])


def flights_sending(flights, rows) -> None:
    """In the audit rows' transaction: the items are in flight, and so are their writes (two
    UPDATEs whatever the number). Each item's attempts were counted in `flight_prepare()`."""
    for flight, row in zip(flights, rows, strict=True):
        flight.row = row
    EndRunItem.objects.filter(pk__in=[flight.item.pk for flight in flights]).update(
        state=ItemState.SENDING, attempts=F("attempts") + 1, next_attempt_at=None
    )
    writes = [flight.voucher.pk for flight in flights if flight.kind != RECONCILE]
    if writes:
        Voucher.objects.filter(pk__in=writes).update(end_sent_at=timezone.now())


class ItemDone(Exception):
    """The item reached a final state without a call."""


def voucher_claim(item: EndRunItem) -> Voucher | None:
    """Take the right to call Shopee for the item's voucher; None if another run holds it."""
    now = timezone.now()
    won = (
        Voucher.objects.filter(pk=item.voucher_id, ended_at__isnull=True)
        .filter(
            Q(end_claim_until__isnull=True) | Q(end_claim_until__lt=now) | Q(end_claim_item=item.pk)
        )
        .update(end_claim_item=item.pk, end_claim_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
    )
    return Voucher.objects.select_related("shop").get(pk=item.voucher_id) if won else None


def items_claim(owners: dict) -> tuple[dict, dict]:
    """Read items and claim their vouchers in two statements (one UPDATE, one SELECT of the
    items with their vouchers and shops): (items by pk, the vouchers won by voucher pk).
    `owners`: item pk -> its voucher's pk (an item's voucher never changes; a voucher deleted
    since is not claimed, and the item read has none)."""
    vouchers = {voucher: item for item, voucher in owners.items() if voucher is not None}
    if vouchers:
        now = timezone.now()
        if len(vouchers) == 1:
            owner = Value(next(iter(vouchers.values())))
        else:
            owner = Case(
                *(When(pk=voucher, then=Value(item)) for voucher, item in vouchers.items()),
                output_field=BigIntegerField(),
            )
        Voucher.objects.filter(pk__in=vouchers, ended_at__isnull=True).filter(
            Q(end_claim_until__isnull=True)
            | Q(end_claim_until__lt=now)
            | Q(end_claim_item__in=vouchers.values())
        ).update(end_claim_item=owner, end_claim_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
    items = EndRunItem.objects.select_related("voucher__shop").in_bulk(list(owners))
    won = {
        item.voucher_id: item.voucher
        for item in items.values()
        if item.voucher is not None and item.voucher.end_claim_item == item.pk
    }
    return items, won


def voucher_release(item: EndRunItem, **changes) -> None:
    Voucher.objects.filter(pk=item.voucher_id, end_claim_item=item.pk).update(
        end_claim_item=None, end_claim_until=None, **changes
    )


def item_finish(item: EndRunItem, state: str, *, reason="", error="", request_id="", **voucher):
    """Put `item` in a final state and let go of its voucher (applying `voucher` changes)."""
    with transaction.atomic(savepoint=False):
        EndRunItem.objects.filter(pk=item.pk).update(
            state=state,
            reason=reason,
            error=error,
            request_id=request_id,
            finished_at=timezone.now(),
            next_attempt_at=None,
        )
        voucher_release(item, **voucher)
    item.state = state


def item_requeue(item: EndRunItem, *, delay: float = 0.0, reason="", error="", **voucher):
    """Back to `pending`, to be tried again after `delay` seconds."""
    when = timezone.now() + dt.timedelta(seconds=delay) if delay else None
    with transaction.atomic(savepoint=False):
        EndRunItem.objects.filter(pk=item.pk).update(
            state=ItemState.PENDING, next_attempt_at=when, reason=reason, error=error
        )
        voucher_release(item, **voucher)
    item.state = ItemState.PENDING
    item.next_attempt_at = when


def flight_prepare(*, item, run, claimed=None) -> Call:
    """Decide the next request for `item`, as a call for the dispatcher (whose audit row's
    transaction marks the item `sending`). Raises ItemDone when none is needed. `claimed`: the
    vouchers `items_claim()` won, when the caller claimed a batch."""
    if item.voucher_id is None:
        item_finish(item, ItemState.FAILED, reason="The voucher record was deleted.")
        raise ItemDone
    voucher = voucher_claim(item) if claimed is None else claimed.get(item.voucher_id)
    if voucher is None:
        ended = Voucher.objects.filter(pk=item.voucher_id, ended_at__isnull=False).exists()
        if ended:
            item_finish(item, ItemState.SKIPPED, reason="Already ended through shopadmin.")
            raise ItemDone
        item_requeue(item, delay=2.0, reason="Another run is ending this voucher right now.")
        raise ItemDone
    kind, call = _next_call(item, voucher, run)
    item.attempts += 1
    flight = Flight(item, voucher, kind)
    return Call(
        task=item.pk,
        shop=voucher.shop,
        api=call,
        voucher=voucher,
        attempt=item.attempts,
        before_send=flight.mark_sending,
        context=flight,
    )


def live_action(run) -> str:
    """What a run does to a voucher that is live: end it, or give it the run's end at Shopee."""
    return ItemAction.SET_END if run.shopee_end_time is not None else ItemAction.END


def _next_call(item, voucher, run):
    """(kind, ApiCall) for the item now, or ItemDone when nothing is to be sent."""
    now = timezone.now()
    if voucher.end_sent_at:
        return RECONCILE, VOUCHER.get_call(voucher.voucher_id)
    if item.action == ItemAction.DELETE:
        if now < voucher.start_time:
            return DELETE, VOUCHER.delete_call(voucher.voucher_id)
        # It has started since Shopee's list was read: Shopee can no longer delete it; end it
        # (or give it the run's end time at Shopee).
        started = live_action(run)
        EndRunItem.objects.filter(pk=item.pk).update(action=started)
        item.action = started
    if item.action == ItemAction.SET_END:
        target = run.shopee_end_time
        if now >= voucher.end_time:
            item_finish(item, ItemState.SKIPPED, reason=SKIP_EXPIRED)
            raise ItemDone
        if voucher.end_time <= target:
            item_finish(item, ItemState.SKIPPED, reason=ends_sooner(voucher.end_time))
            raise ItemDone
        end_time = int(target.timestamp())
        return SET_END, VOUCHER.set_end_call(voucher.voucher_id, end_time)
    if now < voucher.start_time:
        item_finish(item, ItemState.SKIPPED, reason=SKIP_UPCOMING)
        raise ItemDone
    if now >= voucher.end_time:
        item_finish(item, ItemState.SKIPPED, reason=SKIP_EXPIRED)
        raise ItemDone
    return END, VOUCHER.end_call(voucher.voucher_id)


def end_succeeded(flight: Flight, run, result) -> None:
    now = timezone.now()
    item_finish(
        flight.item,
        ItemState.ENDED,
        request_id=result.request_id,
        ended_at=now,
        ended_by_id=run.created_by_id,
        end_time=min(flight.voucher.end_time, now),
        end_sent_at=None,
    )


def delete_succeeded(flight: Flight, run, result, *, reason="") -> None:
    now = timezone.now()
    item_finish(
        flight.item,
        ItemState.DELETED,
        reason=reason,
        request_id=result.request_id,
        deleted_at=now,
        deleted_by_id=run.created_by_id,
        end_sent_at=None,
    )


def set_end_succeeded(flight: Flight, run, result, *, reason="") -> None:
    target = run.shopee_end_time
    item_finish(
        flight.item,
        ItemState.RESCHEDULED,
        reason=reason
        or f"Shopee now ends it at {target:%Y-%m-%d %H:%M:%S} UTC by itself (update_voucher).",
        request_id=result.request_id,
        end_time=target,
        end_sent_at=None,
    )


def reconcile_answered(flight: Flight, run, result) -> None:
    """Shopee's record of a voucher whose write request's answer was lost: applied, or not?"""
    item = flight.item
    verdict, when = VOUCHER.lost_write_verdict(
        action=item.action,
        record=result.response,
        original_end=item.original_end_time,
        target_end=run.shopee_end_time,
        now=timezone.now(),
    )
    calls_unanswered_close_checked(flight=flight, run=run, verdict=verdict, action=item.action)
    if verdict == verdicts.UNREADABLE:
        item_requeue(item)  # ask again
    elif verdict == verdicts.STARTED:
        started = live_action(run)
        EndRunItem.objects.filter(pk=item.pk).update(action=started)
        item.action = started
        item_requeue(item, end_sent_at=None)
    elif verdict == verdicts.NOT_APPLIED:
        item_requeue(item, end_sent_at=None)  # send the write again
    elif verdict == verdicts.EXPIRED:
        item_finish(item, ItemState.SKIPPED, reason=SKIP_EXPIRED, end_sent_at=None)
    elif item.action == ItemAction.SET_END:
        reason = (
            f"Shopee now ends it at {when:%Y-%m-%d %H:%M:%S} UTC by itself "
            "(confirmed with get_voucher: the answer to update_voucher was lost)."
        )
        set_end_succeeded(flight, run, result, reason=reason)
    else:
        item_finish(
            item,
            ItemState.ENDED,
            reason=(
                f"Ended: Shopee reports it ended at {when:%Y-%m-%d %H:%M:%S} UTC "
                "(confirmed with get_voucher: an answer to end_voucher was lost or late)."
            ),
            request_id=result.request_id,
            ended_at=when,
            ended_by_id=run.created_by_id,
            end_time=when,
            end_sent_at=None,
        )
