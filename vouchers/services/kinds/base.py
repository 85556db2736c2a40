"""What a kind of Shopee promotion must provide, so that the engine knows nothing of any kind.

The dispatcher (`services.dispatch`) sends, paces, retries and audits; the run engine and the
sync say *when* to read, end, delete or re-time a promotion. A kind module says *how*, for its
own promotion: which call does each thing and how it pages, how Shopee's answer says live,
upcoming, expired or managed by Shopee, why a promotion is skipped (each reason one text), and
how a write whose answer was lost is verified. Adding a kind is adding a module with a subclass
of `PromotionKind` (and its sandbox rules), never an `if kind == ...` in the engine.
"""

import datetime as dt

from shopee.api import ApiCall

# What a read-back of a promotion (its `get` call) says of a write whose answer was lost.
APPLIED = "applied"  # Shopee applied it: done (`when` says when it ended)
NOT_APPLIED = "not_applied"  # not applied: send the write again
EXPIRED = "expired"  # it ended by itself meanwhile: nothing to do
STARTED = "started"  # a delete not applied and the promotion has started: end it instead
UNREADABLE = "unreadable"  # Shopee's record cannot be read: ask again


class PromotionKind:
    """A kind of promotion. Subclasses set the names and implement every method."""

    name = ""  # "voucher", "discount", ...
    # The list statuses a run reads before it decides (what is live, and what is to come).
    live_statuses = ("ongoing", "upcoming")
    all_statuses = ("all",)
    # Shopee's error codes with a meaning for this kind's writes.
    already_ended_error = ""  # an end refused because it has ended (maybe by our lost write)
    not_found_error = "common.error_not_found"  # the promotion does not exist (e.g. deleted)
    error_codes = ()  # the kind's own error codes, for the call log's filter

    def list_call(self, *, status: str, page_no: int) -> ApiCall:
        raise NotImplementedError

    def list_page(self, response) -> tuple[list, bool]:
        """The records of one answered page, and whether there are more pages."""
        raise NotImplementedError

    def get_call(self, promotion_id: int) -> ApiCall:
        raise NotImplementedError

    def end_call(self, promotion_id: int) -> ApiCall:
        raise NotImplementedError

    def delete_call(self, promotion_id: int) -> ApiCall:
        raise NotImplementedError

    def set_end_call(self, promotion_id: int, end_time: int) -> ApiCall:
        raise NotImplementedError

    def lost_write_verdict(
        self, *, action: str, record, original_end, target_end, now: dt.datetime
    ) -> tuple[str, dt.datetime | None]:
        """What Shopee's record (the answer to `get_call`) says of our `action` whose answer
        was lost: one of APPLIED, NOT_APPLIED, EXPIRED, STARTED, UNREADABLE, and for APPLIED
        when it ended."""
        raise NotImplementedError
