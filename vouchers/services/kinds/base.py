"""What a kind of Shopee promotion must provide, so that the engine knows nothing of any kind.

The dispatcher (`services.dispatch`) sends, paces, retries and audits; the run engine and the
sync say *when* to read, end, delete or re-time a promotion. A kind module says *how*, for its
own promotion: which call does each thing and how it pages, how Shopee's answer says live,
upcoming, expired or managed by Shopee, why a promotion is skipped (each reason one text), and
how a write whose answer was lost is verified. Adding a kind is adding a module with a subclass
of `PromotionKind` (and its sandbox rules), never an `if kind == ...` in the engine.

The voucher kind lives here (`kinds.voucher`); the other kinds (discount, bundle deal, add-on
deal, follow prize, shop flash sale) in `promotions.services.kinds`, whose registry lists them
all.
"""

import datetime as dt

from django.utils.translation import gettext_noop

from core.parsing import NumberError, parse_id, parse_unix_time
from shopee.api import ApiCall

# What a read-back of a promotion (its `get` call) says of a write whose answer was lost.
APPLIED = "applied"  # Shopee applied it: done (`when` says when it ended)
NOT_APPLIED = "not_applied"  # not applied: send the write again
EXPIRED = "expired"  # it ended by itself meanwhile: nothing to do
STARTED = "started"  # a delete not applied and the promotion has started: end it instead
UNREADABLE = "unreadable"  # Shopee's record cannot be read: ask again

# The writes a run makes (runs.models.ItemAction's values).
END, DELETE, SET_END, DISABLE = "end", "delete", "set_end", "disable"
# A promotion's time status, as Shopee's lists file it (`live_status`).
UPCOMING, ONGOING = "upcoming", "ongoing"
LIST_STATUSES = ("ongoing", "upcoming", "expired", "all")

SKIP_EXPIRED = gettext_noop("Expired: it has already ended.")


class MalformedRecord(ValueError):
    """A list row (or `get` record) that is not a promotion we can store; the text says which
    field."""


class PromotionKind:
    """A kind of promotion. Subclasses set the names and implement every method."""

    name = ""  # "voucher", "discount", ...
    label = ""  # "voucher" (gettext_lazy)
    label_plural = ""  # "vouchers"
    # Shopee's id field of the kind (list rows, get and write bodies): "voucher_id", ...
    id_field = ""
    list_key = ""  # the list's field in Shopee's list answer: "voucher_list", ...
    max_pages = 5000  # the last page_no the list accepts
    # Where its records are kept: the model, and the model's field holding Shopee's id.
    record_model = None
    record_id_field = ""
    # Whether its list rows say that Shopee manages it (a bundle deal's do not: only a
    # refusal in `managed_errors` says so, and a later read must not forget it).
    list_shows_managed = True
    # The write that stops an ongoing one: "end", or "disable" (a shop flash sale is switched
    # off: it has no end call).
    end_action = END
    can_set_end = False  # whether `set_end_call` exists (Shopee ends it by itself then)
    # The list statuses a run reads before it decides (what is live, and what is to come).
    live_statuses = ("ongoing", "upcoming")
    all_statuses = ("all",)
    # Shopee's error codes with a meaning for this kind's writes.
    already_ended_error = ""  # an end refused because it has ended (maybe by our lost write)
    not_found_error = "common.error_not_found"  # the promotion does not exist (e.g. deleted)
    managed_errors = ()  # refusals that mean Shopee manages it (created by Shopee)
    error_codes = ()  # the kind's own error codes, for the call log's filter
    # Skip reasons (gettext_noop texts, stored in English, translated where shown).
    skip_shopee_managed = ""
    skip_upcoming = ""
    skip_expired = SKIP_EXPIRED

    def records(self):
        """Every record of this kind (a queryset of `record_model`)."""
        return self.record_model.objects.all()

    def list_call(self, *, status: str, page_no: int) -> ApiCall:
        """A page (from 1) of Shopee's list; `status` one of "ongoing", "upcoming", "expired",
        "all", mapped to the kind's own encoding."""
        raise NotImplementedError

    def list_page(self, response, *, page_no: int = 1, body=None) -> tuple[list, bool]:
        """The rows of one answered page (`response`: the envelope's `response`; `body`: the
        whole answer, for a kind whose list may sit beside it), and whether more pages follow.
        A list that is not a list is returned as is: the caller refuses it."""
        raise NotImplementedError

    def get_call(self, promotion_id: int) -> ApiCall:
        raise NotImplementedError

    def end_call(self, promotion_id: int) -> ApiCall:
        """The write of `end_action` (end, or switch off)."""
        raise NotImplementedError

    def delete_call(self, promotion_id: int) -> ApiCall:
        raise NotImplementedError

    def set_end_call(self, promotion_id: int, end_time: int) -> ApiCall:
        raise NotImplementedError

    def record_fields(self, row) -> dict:
        """A list row (or a `get` record) as the record's fields: `promotion_id`, `name`,
        `start_time`, `end_time` (aware datetimes), `shopee_status`, `shopee_managed`,
        `details`. Raises MalformedRecord naming the field."""
        raise NotImplementedError

    def live_status(self, fields: dict, now: dt.datetime) -> str:
        """ "upcoming", "ongoing" or "expired" for `record_fields` at `now`: by its times, and
        "expired" (not live) for one Shopee says is off (a disabled or deleted flash sale)."""
        return time_status(fields["start_time"], fields["end_time"], now)

    def listed_status(self, fields: dict, list_status: str) -> str:
        """What a sync records for a row listed under `list_status`: that status, or for one
        Shopee lists although it is not live (a deleted flash sale) the kind's word for it."""
        return list_status

    def skip_reason(self, fields: dict, *, action: str, now: dt.datetime) -> str:
        """Why `action` ("end"/"disable" or "delete") is not sent for `record_fields` read at
        `now` (one of the kind's skip texts), or "" to send it. An ongoing one asked to be
        deleted is not skipped: the run ends it instead (a delete is for upcoming ones)."""
        if fields.get("shopee_managed"):
            return self.skip_shopee_managed
        status = self.live_status(fields, now)
        if status == "expired":
            return self.skip_expired
        if status == UPCOMING and action != DELETE:
            return self.skip_upcoming
        return ""

    def lost_write_verdict(
        self, *, action: str, record, original_end, target_end, now: dt.datetime
    ) -> tuple[str, dt.datetime | None]:
        """What Shopee's record (the answer to `get_call`) says of our `action` whose answer
        was lost: one of APPLIED, NOT_APPLIED, EXPIRED, STARTED, UNREADABLE, and for APPLIED
        when it ended."""
        raise NotImplementedError


def time_status(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> str:
    """Upcoming before the start, ongoing until the end, then expired (Shopee's rule)."""
    if now < start:
        return UPCOMING
    if now < end:
        return ONGOING
    return "expired"


def record_times(record) -> tuple[dt.datetime, dt.datetime] | None:
    """A `get` record's (start, end), or None when they cannot be read."""
    if not isinstance(record, dict):
        return None
    try:
        return (
            parse_unix_time(record.get("start_time", 0), label="start_time"),
            parse_unix_time(record.get("end_time", 0), label="end_time"),
        )
    except NumberError:
        return None


def end_verdict(*, action, record, original_end, now) -> tuple[str, dt.datetime | None]:
    """The verdict of a lost end or delete of a kind whose `get` record has only times (and
    whose deleted promotions are not found: the caller settles that from the error): a delete
    found is not applied (STARTED once it has started); an end applied has brought the end
    to now or before, earlier than it was."""
    times = record_times(record)
    if times is None:
        return UNREADABLE, None
    start, end = times
    if action == DELETE:
        return (STARTED if start <= now else NOT_APPLIED), None
    if original_end is not None and end < original_end and end <= now:
        return APPLIED, end
    return (EXPIRED if end <= now else NOT_APPLIED), None


def row_fields(row, *, id_field: str, what: str) -> tuple[int, dt.datetime, dt.datetime]:
    """A row's Shopee id, start and end; MalformedRecord naming `what` and the field."""
    if not isinstance(row, dict):
        raise MalformedRecord(f"a {what} in Shopee's list is not a JSON object")
    try:
        promotion_id = parse_id(row.get(id_field), label=id_field)
        start = _required_time(row, "start_time")
        end = _required_time(row, "end_time")
    except NumberError as error:
        raise MalformedRecord(f"{what} {row.get(id_field)!r}: {error}") from None
    if end < start:
        raise MalformedRecord(f"{what} {promotion_id}: end_time is before start_time.")
    return promotion_id, start, end


def _required_time(row, name):
    value = row.get(name)
    if value in (None, ""):
        raise NumberError(f"{name} is missing.")
    return parse_unix_time(value, label=name)


def text(value, length: int = 255) -> str:
    """Shopee's text as we store it: no NUL, cut to the column."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).replace("\x00", "")[:length]
