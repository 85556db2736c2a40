"""What each answer means for a run's item (used by the engine's dispatcher thread)."""

from django.db.models import Q
from django.utils import timezone

from vouchers.models import EndRun, EndRunItem, ShopeeCall
from vouchers.models.audit import CallOutcome
from vouchers.models.run import OPEN_ITEM_STATES, ItemAction, ItemState, RunStatus
from vouchers.services.notifications import run_notify
from vouchers.services.runs.pacing import backoff_seconds
from vouchers.services.runs.queue import run_stop
from vouchers.services.runs.steps import (
    DELETE,
    END,
    RECONCILE,
    SET_END,
    delete_succeeded,
    end_succeeded,
    flight_record,
    item_finish,
    item_requeue,
    reconcile_answered,
    set_end_succeeded,
)
from vouchers.services.shop_api import authorization_ended, token_rejected
from vouchers.services.shops import ShopUnavailable, shop_mark_needs_reauth
from vouchers.services.tokens import shop_token_refresh
from vouchers.shopee import api, errors
from vouchers.shopee.errors import ShopeeError

# end_voucher's answer for a voucher that has already ended ("Cannot update status for expired
# voucher."): a refusal, unless the ending was ours.
EXPIRED_AT_SHOPEE = "voucher.update_end_voucher_error"
NOT_FOUND = "common.error_not_found"
SUCCEEDED = {END: end_succeeded, DELETE: delete_succeeded, SET_END: set_end_succeeded}


def _delete_unanswered_before(flight, run) -> bool:
    """Whether this run sent delete_voucher for the voucher before and got no usable answer
    (a transient failure, or none recorded): Shopee may have applied it."""
    return (
        ShopeeCall.objects.filter(
            batch_id=run.public_id,
            voucher_id=flight.voucher.pk,
            endpoint=api.DELETE_VOUCHER,
            pk__lt=flight.row.pk,
        )
        .filter(Q(outcome=CallOutcome.PENDING) | Q(error_kind=errors.TRANSIENT))
        .exists()
    )


class StopRun(Exception):
    """A configuration error: every further call would fail the same way."""


class Outcomes:
    def __init__(self, run_slice):
        self.slice = run_slice
        self.run = run_slice.run
        self.config = run_slice.config
        self.rate_limited = {}  # shop pk -> consecutive error_rate_limit answers

    def record(self, flight, result, error):
        flight_record(flight, result=result, error=error)
        if error is None:
            self.rate_limited.pop(flight.voucher.shop_id, None)
            if flight.kind == RECONCILE:
                # The item's reason and error still say why the write before this check failed.
                reason, error_code = flight.item.reason, flight.item.error
                reconcile_answered(flight, self.run, result)
                if flight.item.state == ItemState.PENDING:
                    self._send_again_or_fail(flight, reason, error_code)
            else:
                SUCCEEDED[flight.kind](flight, self.run, result)
            return
        if self._deleted_after_all(flight, error):
            return
        self._failed(flight, error)

    def _send_again_or_fail(self, flight, reason, error_code):
        """get_voucher says our earlier write was not applied: send it again, unless the check
        was the item's last attempt (it counts, so Shopee never sees more than the limit)."""
        item = flight.item
        if item.attempts < self.config.max_attempts:
            self.slice.requeue(item.pk, flight.voucher.shop_id, 0)
            return
        item_finish(
            item,
            ItemState.FAILED,
            reason=(
                f"Gave up after {item.attempts} attempts: {reason} "
                "Shopee had not applied it (checked with get_voucher)."
            ).replace("  ", " "),
            error=error_code or "no_answer",
        )

    def _deleted_after_all(self, flight, error) -> bool:
        """Shopee answers "not found" for the voucher of a delete item that had a
        delete_voucher of ours without an answer: that delete was applied. get_voucher says so
        after a lost answer; so does the delete_voucher sent again when Shopee applied the first
        one after our timeout and after our get_voucher check (slower than both)."""
        if flight.item.action != ItemAction.DELETE or error.error != NOT_FOUND:
            return False
        if flight.kind == RECONCILE:
            how = "confirmed with get_voucher: the answer to delete_voucher was lost"
        elif flight.kind == DELETE and _delete_unanswered_before(flight, self.run):
            how = "an earlier delete_voucher, its answer lost, was applied after our check"
        else:
            return False
        reason = f"Deleted: Shopee no longer has it ({how})."
        delete_succeeded(flight, self.run, error, reason=reason)
        return True

    def _failed(self, flight, error: ShopeeError):
        item, shop = flight.item, flight.voucher.shop
        if flight.kind != RECONCILE:
            # Only a failure without a usable answer leaves open whether Shopee applied it.
            voucher = {} if error.kind == errors.TRANSIENT else {"end_sent_at": None}
        else:
            voucher = {"end_sent_at": None} if error.error == NOT_FOUND else {}
        if self._already_ended(flight, error):
            return
        if error.kind == errors.BUSINESS:
            item_finish(
                item,
                ItemState.REFUSED,
                reason=error.message,
                error=error.error,
                request_id=error.request_id,
                **voucher,
            )
        elif error.kind == errors.CONFIGURATION:
            item_requeue(item, reason=error.message, error=error.error, **voucher)
            self.stop_run(self.run, f"Shopee refused our configuration: {error}")
            raise StopRun
        elif error.kind == errors.AUTHORIZATION:
            self._rejected_token(flight, error, voucher)
        elif error.kind == errors.RATE_LIMIT:
            count = self.rate_limited.get(shop.pk, 0) + 1
            self.rate_limited[shop.pk] = count
            pause = backoff_seconds(count, base=self.config.retry_base, cap=self.config.retry_max)
            self.slice.pacer.cool_down(shop.pk, pause)
            self._retry_or_fail(flight, error, voucher)
        else:
            self._retry_or_fail(flight, error, voucher)

    def _already_ended(self, flight, error) -> bool:
        """Shopee says the voucher has already ended. Maybe by an earlier request of ours that
        Shopee applied after we stopped waiting for it: ask Shopee (get_voucher) before calling
        it a refusal. Returns whether the item was sent to that check."""
        item = flight.item
        if flight.kind != END or error.error != EXPIRED_AT_SHOPEE:
            return False
        if item.attempts >= self.config.max_attempts:
            return False
        item_requeue(item, reason=error.message, error=error.error, end_sent_at=timezone.now())
        self.slice.requeue(item.pk, flight.voucher.shop_id, 0)
        return True

    def _retry_or_fail(self, flight, error, voucher):
        item = flight.item
        if item.attempts >= self.config.max_attempts:
            reason = f"Gave up after {item.attempts} attempts: {error.message}"
            if flight.kind != RECONCILE and not voucher:
                reason += " Whether Shopee applied it is unknown: a retry checks first."
            item_finish(
                item,
                ItemState.FAILED,
                reason=reason,
                error=error.error or "no_answer",
                request_id=error.request_id,
                **voucher,
            )
            return
        delay = 0.0
        if error.kind != errors.RATE_LIMIT:
            delay = backoff_seconds(
                item.attempts, base=self.config.retry_base, cap=self.config.retry_max
            )
        item_requeue(
            item, delay=delay, reason=error.message, error=error.error or "no_answer", **voucher
        )
        self.slice.requeue(item.pk, flight.voucher.shop_id, delay)

    def _rejected_token(self, flight, error, voucher):
        shop = flight.voucher.shop
        if token_rejected(error):
            try:
                token = shop_token_refresh(
                    shop=shop,
                    client=self.slice.client,
                    seen_generation=flight.generation,
                    actor=self.run.created_by,
                )
            except (ShopUnavailable, ShopeeError) as refresh_error:
                self.slice.credentials_cache.pop(shop.pk, None)
                self.shop_unavailable(flight.item, shop.pk, refresh_error, **voucher)
                return
            self.slice.credentials_cache.pop(shop.pk, None)
            if token.generation != flight.generation:
                item_requeue(flight.item, reason=error.message, error=error.error, **voucher)
                self.slice.requeue(flight.item.pk, shop.pk, 0)
                return
        elif authorization_ended(error):
            shop_mark_needs_reauth(shop=shop, reason=f"{error.error}: {error.message}")
        self.shop_unavailable(flight.item, shop.pk, error, **voucher)

    def shop_unavailable(self, item, shop_pk, error, **voucher):
        """No call can be made for this shop: fail this item and the shop's others."""
        reason = str(error) if isinstance(error, ShopUnavailable) else error.message
        self.slice.unavailable[shop_pk] = reason
        item_finish(
            item,
            ItemState.FAILED,
            reason=f"Shop unavailable: {reason}",
            error=getattr(error, "error", "") or "shop_unavailable",
            **voucher,
        )

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
