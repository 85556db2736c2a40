"""Call-log rows a dead processor left `pending`, closed with what the run learnt since.

A worker that dies (or loses the database) between a request and its answer leaves the request's
audit row `pending`. Whether Shopee answered is not known, so the row is never made a success;
it is closed, through the audit's one writer, with what was learnt:

- a write (end, delete, update, switch-off) whose promotion is checked with the kind's `get`
  call on resume: once the check settles the item, "no answer: checked with get_voucher,
  ended" (or "not ended");
- anything else (a `get` check, a list read): "no answer (worker stopped)" when the run is
  taken over, since nothing more will be learnt about it.
"""

from django.db.models import Q

from audit.models import ShopeeCall
from audit.services.calls import call_log_close_unanswered
from runs.models import EndRunItem, ItemAction
from runs.services.records import item_record_fields, record_of, records_of
from vouchers.services.kinds import base as verdicts

WORKER_STOPPED = "no answer (worker stopped)"
CHECKED = "no answer: checked with {get}, {what}"
DONE = {
    ItemAction.END: "ended",
    ItemAction.DELETE: "deleted",
    ItemAction.SET_END: "end time set",
    ItemAction.DISABLE: "switched off",
}
SETTLED_APPLIED = {verdicts.APPLIED}
SETTLED_NOT_APPLIED = {verdicts.NOT_APPLIED, verdicts.STARTED, verdicts.EXPIRED}


def calls_unanswered_close_on_takeover(*, run) -> int:
    """At the start of a slice (the run's only processor, under its lease): close the run's
    pending rows that no get_voucher check will settle; a write whose voucher still has an end
    in flight stays pending until its check (`calls_unanswered_close_checked`)."""
    rows = ShopeeCall.objects.filter(batch_id=run.public_id, outcome="pending")
    if not rows.exists():
        return 0
    in_flight = Q(voucher__end_sent_at__isnull=False) | Q(promotion__end_sent_at__isnull=False)
    awaiting_check = Q(pk__in=[])
    by_kind = {}
    for item in EndRunItem.objects.filter(in_flight, run=run).select_related(*item_record_fields()):
        by_kind.setdefault(item.kind, []).append(item)
    for kind_name, items in by_kind.items():
        records = records_of(kind_name)
        found = [record_of(item, records) for item in items]
        found = [record for record in found if record is not None]
        if found:
            get_path = records.kind.get_call(records.shopee_id(found[0])).path
            awaiting_check |= records.calls_about(found) & ~Q(endpoint=get_path)
    return call_log_close_unanswered(rows=rows.exclude(awaiting_check), message=WORKER_STOPPED)


def calls_unanswered_close_checked(*, flight, run, verdict, action) -> int:
    """The kind's `get` answered for a promotion whose write's answer was lost: close the run's
    pending rows for that promotion (not the check's own row) with what Shopee's record says. An
    unreadable record settles nothing: the rows wait for the next check."""
    if verdict in SETTLED_APPLIED:
        what = DONE.get(action, "ended")
    elif verdict in SETTLED_NOT_APPLIED:
        what = "not " + DONE.get(action, "ended")
    else:
        return 0
    records = flight.records
    rows = ShopeeCall.objects.filter(records.calls_about([flight.record]), batch_id=run.public_id)
    if flight.row is not None:
        rows = rows.exclude(pk=flight.row.pk)
    get = records.kind.get_call(records.shopee_id(flight.record)).path.rsplit("/", 1)[-1]
    return call_log_close_unanswered(rows=rows, message=CHECKED.format(get=get, what=what))
