"""What each answer means for a run's item: the run job's handler of outcomes.

`Outcomes.answer()` records what Shopee's answer (or its absence) means for the item and returns
a decision for the dispatcher (`services.dispatch.decisions`): done, send again after a delay,
cool the shop down, the shop is unavailable, stop the run. It never requeues, sleeps or paces.
"""

from django.db.models import Q
from django.utils import timezone

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from dispatch.services.decisions import (
    AGAIN,
    DONE,
    CoolDown,
    RetryAfter,
    ShopDown,
    StopJob,
)
from dispatch.services.pace import backoff_seconds
from notifications.services.notify import run_notify
from runs.models import OPEN_ITEM_STATES, EndRun, EndRunItem, ItemAction, ItemState, RunStatus
from runs.services.finish import items_finish_many
from runs.services.queue import run_stop
from runs.services.reconcile import reconcile_answered
from runs.services.steps import (
    DELETE,
    END,
    FINISHES,
    RECONCILE,
    SET_END,
    call_name,
    delete_succeeded,
    end_succeeded,
    item_finish,
    item_requeue,
    set_end_succeeded,
)
from runs.services.unanswered import calls_unanswered_close_checked
from shopee import errors
from shops.services.shops import ShopUnavailable
from vouchers.services.kinds import base as verdicts

SUCCEEDED = {END: end_succeeded, DELETE: delete_succeeded, SET_END: set_end_succeeded}


def _delete_unanswered_before(flight, run) -> bool:
    """Whether this run sent the kind's delete for the promotion before and got no usable
    answer (a transient failure, or none recorded): Shopee may have applied it."""
    records = flight.records
    delete_path = records.kind.delete_call(records.shopee_id(flight.record)).path
    return (
        ShopeeCall.objects.filter(
            records.calls_about([flight.record]),
            batch_id=run.public_id,
            endpoint=delete_path,
            pk__lt=flight.row.pk,
        )
        .filter(Q(outcome=CallOutcome.PENDING) | Q(error_kind=errors.TRANSIENT))
        .exists()
    )


def _names(flight):
    """(the check's name, the delete's name) of the flight's kind: "get_voucher", ..."""
    records = flight.records
    shopee_id = records.shopee_id(flight.record)
    return call_name(records.kind.get_call(shopee_id)), call_name(
        records.kind.delete_call(shopee_id)
    )


class Outcomes:
    def __init__(self, run, config):
        self.run = run
        self.config = config

    def answer(self, flight, outcome):
        """Record `outcome` (services.dispatch.Outcome) for the flight's item; the decision."""
        result, error = outcome.result, outcome.error
        if error is None:
            if flight.kind == RECONCILE:
                # The item's reason and error still say why the write before this check failed.
                reason, error_code = flight.item.reason, flight.item.error
                reconcile_answered(flight, self.run, result)
                if flight.item.state == ItemState.PENDING:
                    return self._send_again_or_fail(flight, reason, error_code)
            else:
                SUCCEEDED[flight.kind](flight, self.run, result)
            return DONE
        if self._deleted_after_all(flight, error):
            return DONE
        return self._failed(flight, outcome)

    def answer_many(self, answers):
        """`answer()` for (flight, outcome) pairs, in the caller's transaction: the writes
        Shopee applied are finished together (`items_finish_many`), the other answers one by
        one. The decisions, in order."""
        decisions, finishes = [], []
        for flight, outcome in answers:
            if outcome.error is None and flight.kind in FINISHES:
                finishes.append((flight, *FINISHES[flight.kind](flight, self.run, outcome.result)))
                decisions.append(DONE)
            else:
                decisions.append(self.answer(flight, outcome))
        items_finish_many(finishes)
        return decisions

    def _send_again_or_fail(self, flight, reason, error_code):
        """The kind's `get` says our earlier write was not applied: send it again, unless the
        check was the item's last attempt (it counts, so Shopee never sees more than the
        limit)."""
        item = flight.item
        if item.attempts < self.config.max_attempts:
            return AGAIN
        get, _ = _names(flight)
        item_finish(
            item,
            ItemState.FAILED,
            reason=(
                f"Gave up after {item.attempts} attempts: {reason} "
                f"Shopee had not applied it (checked with {get})."
            ).replace("  ", " "),
            error=error_code or "no_answer",
        )
        return DONE

    def _deleted_after_all(self, flight, error) -> bool:
        """Shopee answers "not found" (the kind's `not_found_error`) for the promotion of a
        delete item that had a delete of ours without an answer: that delete was applied. The
        kind's `get` says so after a lost answer; so does the delete sent again when Shopee
        applied the first one after our timeout and after our check (slower than both)."""
        if flight.item.action != ItemAction.DELETE:
            return False
        if error.error != flight.records.kind.not_found_error:
            return False
        get, delete = _names(flight)
        if flight.kind == RECONCILE:
            how = f"confirmed with {get}: the answer to {delete} was lost"
        elif flight.kind == DELETE and _delete_unanswered_before(flight, self.run):
            how = f"an earlier {delete}, its answer lost, was applied after our check"
        else:
            return False
        reason = f"Deleted: Shopee no longer has it ({how})."
        delete_succeeded(flight, self.run, error, reason=reason)
        if flight.kind == RECONCILE:  # rows a dead processor left pending: deleted
            calls_unanswered_close_checked(
                flight=flight, run=self.run, verdict=verdicts.APPLIED, action=ItemAction.DELETE
            )
        return True

    def _failed(self, flight, outcome):
        item, error = flight.item, outcome.error
        not_found = error.error == flight.records.kind.not_found_error
        if flight.kind != RECONCILE:
            # Only a failure without a usable answer leaves open whether Shopee applied it.
            record = {} if error.kind == errors.TRANSIENT else {"end_sent_at": None}
        else:
            record = {"end_sent_at": None} if not_found else {}
            if not_found:  # gone at Shopee: a write left pending did not apply
                calls_unanswered_close_checked(
                    flight=flight, run=self.run, verdict=verdicts.NOT_APPLIED, action=item.action
                )
        if self._already_ended(flight, error):
            return AGAIN
        what = outcome.consequence
        if what == errors.REFUSE:
            if error.error and error.error in flight.records.kind.managed_errors:
                record.update(flight.records.managed_changes())  # remembered for next time
            item_finish(
                item,
                ItemState.REFUSED,
                reason=error.message,
                error=error.error,
                request_id=error.request_id,
                **record,
            )
            return DONE
        if what == errors.STOP:
            item_requeue(item, reason=error.message, error=error.error, **record)
            reason = f"Shopee refused our configuration: {error}"
            self.stop_run(self.run, reason)
            return StopJob(reason)
        if outcome.send_again:  # the token was refreshed: send again at once
            item_requeue(item, reason=error.message, error=error.error, **record)
            return AGAIN
        if outcome.shop_down is not None:
            return self.shop_unavailable(item, flight.record.shop, outcome.shop_down, **record)
        if outcome.outage:
            # Shopee fails for everyone: wait for it (the dispatcher probes), never give up.
            item_requeue(item, reason=error.message, error=error.error or "no_answer", **record)
            return AGAIN
        return self._retry_or_fail(flight, error, record)

    def _already_ended(self, flight, error) -> bool:
        """Shopee says the promotion has already ended. Maybe by an earlier request of ours that
        Shopee applied after we stopped waiting for it: ask Shopee (the kind's `get`) before
        calling it a refusal. Returns whether the item was sent to that check."""
        item = flight.item
        already_ended = flight.records.kind.already_ended_error
        if flight.kind != END or not already_ended or error.error != already_ended:
            return False
        if item.attempts >= self.config.max_attempts:
            return False
        item_requeue(item, reason=error.message, error=error.error, end_sent_at=timezone.now())
        return True

    def _retry_or_fail(self, flight, error, record):
        item = flight.item
        if item.attempts >= self.config.max_attempts:
            reason = f"Gave up after {item.attempts} attempts: {error.message}"
            if flight.kind != RECONCILE and not record:
                reason += " Whether Shopee applied it is unknown: a retry checks first."
            item_finish(
                item,
                ItemState.FAILED,
                reason=reason,
                error=error.error or "no_answer",
                request_id=error.request_id,
                **record,
            )
            return DONE
        delay = 0.0
        if error.kind != errors.RATE_LIMIT:
            delay = backoff_seconds(
                item.attempts, base=self.config.retry_base, cap=self.config.retry_max
            )
        item_requeue(
            item, delay=delay, reason=error.message, error=error.error or "no_answer", **record
        )
        return CoolDown() if error.kind == errors.RATE_LIMIT else RetryAfter(delay)

    def shop_unavailable(self, item, shop, error, **record):
        """No call can be made for the item's shop: fail this item, and the shop's others
        (the dispatcher hands them to this method too, without a call)."""
        reason = str(error) if isinstance(error, ShopUnavailable) else error.message
        item_finish(
            item,
            ItemState.FAILED,
            reason=f"Shop unavailable: {reason}",
            error=getattr(error, "error", "") or "shop_unavailable",
            **record,
        )
        return ShopDown(ShopUnavailable(shop, reason))

    def outage(self, since) -> None:
        """Shopee fails every call since `since` (the run's page says it waits), or answers
        again (None)."""
        EndRun.objects.filter(pk=self.run.pk).update(shopee_down_since=since)

    def outage_too_long(self, since):
        reason = (
            f"Shopee failed every call (network errors or 5xx answers) from "
            f"{since:%Y-%m-%d %H:%M:%S} UTC for longer than the longest wait "
            f"({self.config.outage_max_wait_seconds:g} s); Retry goes on where it stopped."
        )
        EndRun.objects.filter(pk=self.run.pk).update(shopee_down_since=None)
        self.stop_run(self.run, reason)
        return StopJob(reason)

    @staticmethod
    def stop_run(run, reason):
        run_stop(run, reason)

    def finalize(self) -> str:
        """Finish the run when no item is open; else say there is more to do."""
        run = EndRun.objects.get(pk=self.run.pk)
        if run.status in (RunStatus.STOPPED, RunStatus.CANCELED):
            return run.status
        if EndRunItem.objects.filter(run=run, state__in=OPEN_ITEM_STATES).exists():
            return "more"
        finished = EndRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FINISHED, finished_at=timezone.now()
        )
        if finished:
            run_notify(run=run)
        return "finished"
