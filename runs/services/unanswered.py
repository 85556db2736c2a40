"""Call-log rows a dead processor left `pending`, closed with what the run learnt since.

A worker that dies (or loses the database) between a request and its answer leaves the request's
audit row `pending`. Whether Shopee answered is not known, so the row is never made a success;
it is closed, through the audit's one writer, with what was learnt:

- a write (end, delete, update) whose voucher is checked with get_voucher on resume: once the
  check settles the item, "no answer: checked with get_voucher, ended" (or "not ended");
- anything else (a get_voucher, a list read): "no answer (worker stopped)" when the run is
  taken over, since nothing more will be learnt about it.
"""

from django.db.models import Q

from audit.models import ShopeeCall
from audit.services.calls import call_log_close_unanswered
from runs.models import EndRunItem, ItemAction
from shopee.api import GET_VOUCHER
from vouchers.services.kinds import base as verdicts

WORKER_STOPPED = "no answer (worker stopped)"
CHECKED = "no answer: checked with get_voucher, {what}"
DONE = {ItemAction.END: "ended", ItemAction.DELETE: "deleted", ItemAction.SET_END: "end time set"}
SETTLED_APPLIED = {verdicts.APPLIED}
SETTLED_NOT_APPLIED = {verdicts.NOT_APPLIED, verdicts.STARTED, verdicts.EXPIRED}


def calls_unanswered_close_on_takeover(*, run) -> int:
    """At the start of a slice (the run's only processor, under its lease): close the run's
    pending rows that no get_voucher check will settle; a write whose voucher still has an end
    in flight stays pending until its check (`calls_unanswered_close_checked`)."""
    rows = ShopeeCall.objects.filter(batch_id=run.public_id, outcome="pending")
    if not rows.exists():
        return 0
    checked = EndRunItem.objects.filter(run=run, voucher__end_sent_at__isnull=False).values_list(
        "voucher__voucher_id", flat=True
    )
    awaiting_check = Q(voucher_shopee_id__in=list(checked)) & ~Q(endpoint=GET_VOUCHER)
    return call_log_close_unanswered(rows=rows.exclude(awaiting_check), message=WORKER_STOPPED)


def calls_unanswered_close_checked(*, flight, run, verdict, action) -> int:
    """get_voucher answered for a voucher whose write's answer was lost: close the run's pending
    rows for that voucher (not the check's own row) with what Shopee's record says. An
    unreadable record settles nothing: the rows wait for the next check."""
    if verdict in SETTLED_APPLIED:
        what = DONE.get(action, "ended")
    elif verdict in SETTLED_NOT_APPLIED:
        what = "not " + DONE.get(action, "ended")
    else:
        return 0
    rows = ShopeeCall.objects.filter(
        batch_id=run.public_id, voucher_shopee_id=flight.voucher.voucher_id
    )
    if flight.row is not None:
        rows = rows.exclude(pk=flight.row.pk)
    return call_log_close_unanswered(rows=rows, message=CHECKED.format(what=what))
