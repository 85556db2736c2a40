"""One item of a run: what to send for it, and what Shopee's answer (or its absence) means.

`flight_prepare()` runs in the dispatcher thread: it claims the item's record (one run at a time
may call Shopee for a promotion) and asks the item's kind plug-in what to send for the item's
action (its end, delete, set-end or switch-off call) or, when an earlier write's answer was lost,
its `get` call to reconcile. The dispatcher signs it and commits the pending audit row together
with the item's `sending` state (`Flight.mark_sending`), before anything is sent. The
`*_succeeded` functions record what an answer means (`reconcile.py`: what a check found). All
keep their transactions short; none touches the network. Nothing here knows a kind:
`records.py` says where a kind's records are, the kind (`item.kind`) everything else.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from dispatch.services.dispatcher import Call
from runs.models import EndRunItem, ItemAction, ItemState
from runs.services.batch_sql import items_mark_sending, items_read, records_claim
from runs.services.records import Records, record_of, records_of
from vouchers.services.kinds.voucher import SKIP_ALREADY_ENDED, ends_sooner

END = "end"
DELETE = "delete"
SET_END = "set_end"
RECONCILE = "reconcile"
CLAIM_SECONDS = 300


@dataclass
class Flight:
    item: EndRunItem
    record: object  # the item's Voucher or Promotion
    kind: str  # the step: END, DELETE, SET_END or RECONCILE
    row: object = None  # the call's audit row
    records: Records = None

    @property
    def voucher(self):  # the name the run's older code and tests know
        return self.record

    def mark_sending(self, row) -> None:
        """In the audit row's transaction: the item is in flight, and so is a write."""
        flights_sending([self], [row])


def call_name(api) -> str:
    """A call's name as staff read it in the call log: "get_voucher", "end_discount", ..."""
    return api.path.rsplit("/", 1)[-1]


def write_call(records: Records, action: str, record, run=None):
    """The kind's call that makes `action` for `record`."""
    kind, shopee_id = records.kind, records.shopee_id(record)
    if action == ItemAction.DELETE:
        return kind.delete_call(shopee_id)
    if action == ItemAction.SET_END:
        target = run.shopee_end_time if run is not None else timezone.now()
        return kind.set_end_call(shopee_id, int(target.timestamp()))
    return kind.end_call(shopee_id)


def flights_sending(flights, rows) -> None:
    """In the audit rows' transaction: the items are in flight, and so are their writes (two
    UPDATEs whatever the number, one more per other kind of record). Each item's attempts
    were counted in `flight_prepare()`."""
    writes = {}
    for flight, row in zip(flights, rows, strict=True):
        flight.row = row
        if flight.kind != RECONCILE:
            writes.setdefault(flight.records.model, []).append(flight.record.pk)
    items_mark_sending([flight.item.pk for flight in flights], writes, now=timezone.now())


class ItemDone(Exception):
    """The item reached a final state without a call."""


def record_claim(item: EndRunItem):
    """Take the right to call Shopee for the item's record; None if another run holds it."""
    records = records_of(item.kind)
    now = timezone.now()
    pk = getattr(item, records.item_fk)
    won = (
        records.model.objects.filter(pk=pk, ended_at__isnull=True)
        .filter(
            Q(end_claim_until__isnull=True) | Q(end_claim_until__lt=now) | Q(end_claim_item=item.pk)
        )
        .update(end_claim_item=item.pk, end_claim_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
    )
    return records.model.objects.select_related("shop").get(pk=pk) if won else None


def items_claim(owners: dict) -> tuple[dict, dict]:
    """Claim the items' records (one UPDATE per kind of record: `batch_sql.records_claim`), then
    read the items with their records and shops (`batch_sql.items_read`): (items by pk, the
    records won by (model, pk)). `owners`: item pk -> (its kind's Records,
    its record's pk) (an item's record never changes; one deleted since is not claimed, and the
    item read has none)."""
    by_model = {}
    for item, (records, record) in owners.items():
        if record is not None:
            by_model.setdefault(records.model, {})[record] = item
    now = timezone.now()
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    for model, claims in by_model.items():
        records_claim(model, claims, now=now, until=until)
    items = items_read(owners)
    won = {}
    for item in items.values():
        records = owners[item.pk][0]
        record = record_of(item, records)
        if record is not None and record.end_claim_item == item.pk:
            won[(records.model, record.pk)] = record
    return items, won


def record_release(item: EndRunItem, **changes) -> None:
    records = records_of(item.kind)
    records.model.objects.filter(pk=getattr(item, records.item_fk), end_claim_item=item.pk).update(
        end_claim_item=None, end_claim_until=None, **changes
    )


def item_finish(item: EndRunItem, state: str, *, reason="", error="", request_id="", **record):
    """Put `item` in a final state and let go of its record (applying `record` changes)."""
    with transaction.atomic(savepoint=False):
        EndRunItem.objects.filter(pk=item.pk).update(
            state=state,
            reason=reason,
            error=error,
            request_id=request_id,
            finished_at=timezone.now(),
            next_attempt_at=None,
        )
        record_release(item, **record)
    item.state = state


def item_requeue(item: EndRunItem, *, delay: float = 0.0, reason="", error="", **record):
    """Back to `pending`, to be tried again after `delay` seconds."""
    when = timezone.now() + dt.timedelta(seconds=delay) if delay else None
    with transaction.atomic(savepoint=False):
        EndRunItem.objects.filter(pk=item.pk).update(
            state=ItemState.PENDING, next_attempt_at=when, reason=reason, error=error
        )
        record_release(item, **record)
    item.state = ItemState.PENDING
    item.next_attempt_at = when


def flight_prepare(*, item, run, claimed=None) -> Call:
    """Decide the next request for `item`, as a call for the dispatcher (whose audit row's
    transaction marks the item `sending`). Raises ItemDone when none is needed. `claimed`: the
    records `items_claim()` won, when the caller claimed a batch."""
    records = records_of(item.kind)
    record_pk = getattr(item, records.item_fk)
    if record_pk is None:
        item_finish(item, ItemState.FAILED, reason=f"The {_what(records)} record was deleted.")
        raise ItemDone
    if claimed is None:
        record = record_claim(item)
    else:
        record = claimed.get((records.model, record_pk))
    if record is None:
        ended = records.model.objects.filter(pk=record_pk, ended_at__isnull=False).exists()
        if ended:
            item_finish(item, ItemState.SKIPPED, reason=SKIP_ALREADY_ENDED)
            raise ItemDone
        reason = f"Another run is ending this {_what(records)} right now."
        item_requeue(item, delay=2.0, reason=reason)
        raise ItemDone
    step, call = _next_call(item, record, records, run)
    item.attempts += 1
    flight = Flight(item, record, step, records=records)
    return Call(
        task=item.pk,
        shop=record.shop,
        api=call,
        voucher=records.audit_voucher(record),
        attempt=item.attempts,
        before_send=flight.mark_sending,
        context=flight,
    )


def _what(records) -> str:
    """The kind's name in English, as reasons are stored ("voucher", "shop flash sale")."""
    with translation.override("en"):
        return str(records.kind.label or records.kind.name)


def live_action(run, kind) -> str:
    """What a run does to a live promotion of `kind`: end it (or switch it off), or give it
    the run's end at Shopee when the run sets one and the kind can take it."""
    if run.shopee_end_time is not None and kind.can_set_end:
        return ItemAction.SET_END
    return kind.end_action


def _skip(item, reason):
    item_finish(item, ItemState.SKIPPED, reason=reason)
    raise ItemDone


def _next_call(item, record, records, run):
    """(step, ApiCall) for the item now, or ItemDone when nothing is to be sent."""
    kind = records.kind
    now = timezone.now()
    if record.end_sent_at:
        return RECONCILE, kind.get_call(records.shopee_id(record))
    fields = records.fields(record)
    if item.action == ItemAction.DELETE:
        if now < record.start_time:
            if reason := kind.skip_reason(fields, action=ItemAction.DELETE, now=now):
                _skip(item, reason)
            return DELETE, write_call(records, ItemAction.DELETE, record)
        # It has started since Shopee's list was read: Shopee can no longer delete it; end it
        # (or give it the run's end time at Shopee, or switch it off).
        started = live_action(run, kind)
        EndRunItem.objects.filter(pk=item.pk).update(action=started)
        item.action = started
    if item.action == ItemAction.SET_END:
        target = run.shopee_end_time
        if now >= record.end_time:
            _skip(item, kind.skip_expired)
        if record.end_time <= target:
            _skip(item, ends_sooner(record.end_time))
        return SET_END, write_call(records, ItemAction.SET_END, record, run)
    if reason := kind.skip_reason(fields, action=item.action, now=now):
        _skip(item, reason)
    return END, write_call(records, item.action, record)


def end_finish(flight: Flight, run, result, *, reason="", when=None) -> tuple[str, dict]:
    """(state, item_finish() fields) for: Shopee ended (or switched off) the item's
    promotion, at `when` (now)."""
    now = when or timezone.now()
    changes = {"ended_at": now, "ended_by_id": run.created_by_id, "end_sent_at": None}
    if flight.item.action != ItemAction.DISABLE:  # a sale switched off keeps its times
        changes["end_time"] = when or min(flight.record.end_time, now)
    return ItemState.ENDED, {"reason": reason, "request_id": result.request_id, **changes}


def delete_finish(flight: Flight, run, result, *, reason="") -> tuple[str, dict]:
    return ItemState.DELETED, {
        "reason": reason,
        "request_id": result.request_id,
        "deleted_at": timezone.now(),
        "deleted_by_id": run.created_by_id,
        "end_sent_at": None,
    }


def set_end_finish(flight: Flight, run, result, *, reason="") -> tuple[str, dict]:
    target = run.shopee_end_time
    call = call_name(write_call(flight.records, ItemAction.SET_END, flight.record, run))
    return ItemState.RESCHEDULED, {
        "reason": reason
        or f"Shopee now ends it at {target:%Y-%m-%d %H:%M:%S} UTC by itself ({call}).",
        "request_id": result.request_id,
        "end_time": target,
        "end_sent_at": None,
    }


# What a write's success means, by step (`items_finish_many()` writes a batch of them).
FINISHES = {END: end_finish, DELETE: delete_finish, SET_END: set_end_finish}


def end_succeeded(flight: Flight, run, result, *, reason="", when=None) -> None:
    state, fields = end_finish(flight, run, result, reason=reason, when=when)
    item_finish(flight.item, state, **fields)


def delete_succeeded(flight: Flight, run, result, *, reason="") -> None:
    state, fields = delete_finish(flight, run, result, reason=reason)
    item_finish(flight.item, state, **fields)


def set_end_succeeded(flight: Flight, run, result, *, reason="") -> None:
    state, fields = set_end_finish(flight, run, result, reason=reason)
    item_finish(flight.item, state, **fields)
