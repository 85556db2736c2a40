"""A run item's failure as staff read it: a plain sentence first, the technical detail after.

The sentence comes from `shopee.wording.failure_in_words` (the one mapping of Shopee's error,
the HTTP status and the attempts to words); the detail is what an engineer or Shopee's support
asks for: Shopee's error, the HTTP status, the message and request_id. Read-only: no
transaction.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from runs.models import EndRun, EndRunItem, ItemState
from shopee.wording import failure_in_words, failure_text_in_words

EXPLAINED_STATES = (ItemState.REFUSED, ItemState.FAILED)


@dataclass
class ItemFailure:
    """What staff see about one refused or failed item."""

    words: str  # the plain sentence, shown first
    error: str = ""  # Shopee's error code, or shopadmin's (no_answer, shop_unavailable, ...)
    http_status: int | None = None
    message: str = ""  # the item's recorded reason (Shopee's words, or ours)
    shopee_message: str = ""  # Shopee's message on the last call, when it differs
    request_id: str = ""
    attempts: int = 0


@dataclass
class ExplainedItem:
    item: EndRunItem
    failure: ItemFailure | None = None  # None: the item neither failed nor was refused


def run_items_explain(*, run: EndRun, items: list[EndRunItem]) -> list[ExplainedItem]:
    """`items` of `run`, each refused or failed one with its failure in plain words. One query
    (the last failed or refused call of each such voucher in the run, for its HTTP status and
    Shopee's message; a get_voucher check that answered after it says nothing of the failure),
    none when no item failed."""
    failed = [item for item in items if item.state in EXPLAINED_STATES]
    last_calls = _last_calls(run, {item.voucher_shopee_id for item in failed})
    explained = []
    for item in items:
        failure = None
        if item.state in EXPLAINED_STATES:
            failure = item_failure(item=item, call=last_calls.get(item.voucher_shopee_id))
        explained.append(ExplainedItem(item=item, failure=failure))
    return explained


def item_failure(*, item: EndRunItem, call: dict | None = None) -> ItemFailure:
    """One refused or failed item in words; `call` is its last call's row (values of
    http_status, message, request_id, error), when known."""
    call = call or {}
    http_status = call.get("http_status")
    shopee_message = call.get("message") or ""
    words = failure_in_words(
        error=item.error,
        message=item.reason,
        attempts=item.attempts,
        http_status=http_status,
        refused=item.state == ItemState.REFUSED,
    )
    return ItemFailure(
        words=words,
        error=item.error,
        http_status=http_status,
        message=item.reason,
        shopee_message="" if shopee_message in item.reason else shopee_message,
        request_id=item.request_id or call.get("request_id") or "",
        attempts=item.attempts,
    )


def _last_calls(run: EndRun, voucher_ids: set[int]) -> dict[int, dict]:
    if not voucher_ids:
        return {}
    rows = (
        ShopeeCall.objects.filter(batch_id=run.public_id, voucher_shopee_id__in=voucher_ids)
        .filter(outcome__in=[CallOutcome.FAILED, CallOutcome.REFUSED])
        .order_by("voucher_shopee_id", "-started_at", "-id")
        .values("voucher_shopee_id", "http_status", "message", "request_id", "error")
    )
    last = {}
    for row in rows:
        last.setdefault(row["voucher_shopee_id"], row)
    return last


# Why a run stopped on a configuration error (runs/services: fresh, outcomes).
_CONFIGURATION_STOP = "Shopee refused our configuration: "


def stop_reason_in_words(reason: str) -> str:
    """A run's stop reason in plain words when it is technical (Shopee refused our
    configuration: "error_sign: ... | HTTP 403 | request_id ..."); "" when it is plain already
    (an outage's)."""
    if reason.startswith(_CONFIGURATION_STOP):
        return failure_text_in_words(reason.removeprefix(_CONFIGURATION_STOP))
    return ""


# A skip reason as the engine writes it, often with the moment Shopee's lists were read appended
# (runs/services/fresh.py, vouchers/services/kinds/voucher.py): translated in its parts.
_READ_AT = re.compile(r"^(?P<reason>.+) \(Shopee's list read at (?P<at>[^)]+)\)$", re.S)
_NOT_LIVE = re.compile(
    r"^Not live at Shopee: neither ongoing nor upcoming in Shopee's lists read at (?P<at>.+) "
    r"\(it has expired, been ended or been deleted\)\.$"
)
_ENDS_SOONER = re.compile(r"^It ends at (?P<end>.+) anyway, before the chosen end time\.$")


def reason_in_words(reason: str) -> str:
    """An item's recorded reason in the staff's language: a reason of the catalogue as is, and
    those the engine composes (a reason and when Shopee's list was read; not live at Shopee;
    ends sooner anyway) in their translated parts. Anything else is shown as recorded."""
    if not reason:
        return ""
    translated = gettext(reason)
    if translated != reason:
        return translated
    if found := _READ_AT.match(reason):
        return gettext("%(reason)s (Shopee's list read at %(at)s)") % {
            "reason": gettext(found["reason"]),
            "at": found["at"],
        }
    if found := _NOT_LIVE.match(reason):
        return gettext(
            "Not live at Shopee: neither ongoing nor upcoming in Shopee's lists read at %(at)s "
            "(it has expired, been ended or been deleted)."
        ) % {"at": found["at"]}
    if found := _ENDS_SOONER.match(reason):
        return gettext("It ends at %(end)s anyway, before the chosen end time.") % {
            "end": found["end"]
        }
    if reason.startswith("Gave up after "):  # a failure kept while the item is retried
        return failure_text_in_words(reason)
    return reason
