"""What the kind's `get` call says of an item's write whose answer was lost (or late): applied,
not applied (send it again), expired meanwhile, or started meanwhile (a delete becomes an end).
The verdict is the kind plug-in's (`lost_write_verdict`); this records it on the item and its
record, and closes the call-log rows it settles."""

from django.utils import timezone

from runs.models import EndRunItem, ItemAction, ItemState
from runs.services.steps import (
    Flight,
    call_name,
    delete_succeeded,
    end_succeeded,
    item_finish,
    item_requeue,
    live_action,
    set_end_succeeded,
    write_call,
)
from runs.services.unanswered import calls_unanswered_close_checked
from vouchers.services.kinds import base as verdicts

# What a check found of a write whose answer was lost, in the item's reason.
APPLIED_REASONS = {
    ItemAction.END: (
        "Ended: Shopee reports it ended at {when:%Y-%m-%d %H:%M:%S} UTC "
        "(confirmed with {get}: an answer to {write} was lost or late)."
    ),
    ItemAction.DISABLE: (
        "Switched off: Shopee reports it switched off "
        "(confirmed with {get}: an answer to {write} was lost or late)."
    ),
    ItemAction.DELETE: "Deleted at Shopee (confirmed with {get}: the answer to {write} was lost).",
    ItemAction.SET_END: (
        "Shopee now ends it at {when:%Y-%m-%d %H:%M:%S} UTC by itself "
        "(confirmed with {get}: the answer to {write} was lost)."
    ),
}


def reconcile_answered(flight: Flight, run, result) -> None:
    """Shopee's record of a promotion whose write request's answer was lost: applied, or not?"""
    item, records = flight.item, flight.records
    kind = records.kind
    verdict, when = kind.lost_write_verdict(
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
        started = live_action(run, kind)
        EndRunItem.objects.filter(pk=item.pk).update(action=started)
        item.action = started
        item_requeue(item, end_sent_at=None)
    elif verdict == verdicts.NOT_APPLIED:
        item_requeue(item, end_sent_at=None)  # send the write again
    elif verdict == verdicts.EXPIRED:
        item_finish(item, ItemState.SKIPPED, reason=kind.skip_expired, end_sent_at=None)
    else:
        reason = APPLIED_REASONS[item.action].format(
            when=when or timezone.now(),
            get=call_name(result_call(flight)),
            write=call_name(write_call(records, item.action, flight.record, run)),
        )
        if item.action == ItemAction.SET_END:
            set_end_succeeded(flight, run, result, reason=reason)
        elif item.action == ItemAction.DELETE:
            delete_succeeded(flight, run, result, reason=reason)
        else:
            end_succeeded(flight, run, result, reason=reason, when=when)


def result_call(flight: Flight):
    """The check's call (the kind's `get`)."""
    return flight.records.kind.get_call(flight.records.shopee_id(flight.record))
