"""The pushes Shopee could not deliver: fetched, applied once, in order, then confirmed."""

import json
import logging
from dataclasses import dataclass

from audit.models import ShopeePush
from audit.models.pushes import PushOutcome, PushSource
from audit.services.calls import shopee_call
from core.parsing import NumberError, parse_int
from shopee import api
from shopee.client import ShopeeClient
from shopee.errors import ShopeeTransientError
from shopee.redaction import redact
from shops.services.push.apply import push_apply, push_log
from shops.services.push.message import PushMalformed, lost_entry_message

logger = logging.getLogger(__name__)

LOST_PUSH_MAX_PAGES = 100
ENTRY_EXCERPT_CHARS = 20_000


@dataclass
class LostPushReport:
    fetched: int = 0
    applied: int = 0  # that changed something of ours (not ignored, answered or duplicate)
    duplicates: int = 0
    malformed: int = 0
    confirmed_up_to: int | None = None  # the last message id confirmed to Shopee
    problem: str = ""  # why the run stopped before the end, with messages left unconfirmed


def lost_pushes_apply(*, client: ShopeeClient, actor_label: str = "maintenance") -> LostPushReport:
    """Fetch the pushes Shopee could not deliver (last 3 days), apply each once, in order, and
    confirm to Shopee only what was applied.

    Shopee serves the earliest 100 unconfirmed messages with one `last_message_id` for the
    page (the entries carry no id of their own), and confirming N consumes every message up to
    N. So the unit of confirmation is the page: it is confirmed once every message on it is
    settled, and the first message that fails to apply (an error while applying or logging it)
    stops the run there, with nothing of that page confirmed and `problem` saying so. Shopee
    lists the page again next time; the messages before the failure, already logged, are
    recognised by their fingerprint and not applied twice. A page that fails (a Shopee error,
    or an answer without a list or a usable `last_message_id`) raises, unconfirmed, once the
    pages before it are confirmed.

    A malformed entry (not an object, `data` not the JSON text of a push message, a code that
    is not its message's) is logged in the push log as malformed, with the entry kept for a
    person to act on, logged as an error, counted, and confirmed with its page. It can never be
    applied: holding it back would not change that, and since Shopee always serves the earliest
    unconfirmed messages it would hold back every later lost push until Shopee drops them
    after 3 days, the very loss this is here to prevent.
    """
    report = LostPushReport()
    for _ in range(LOST_PUSH_MAX_PAGES):
        answer = shopee_call(
            client=client, api=api.get_lost_push_message(), actor_label=actor_label
        )
        items, last, more = _page(answer.response)
        for position, item in enumerate(items, start=1):
            try:
                row = _lost_push_row(item)
            except Exception as error:
                logger.exception("Lost push %s of %s could not be applied", position, len(items))
                report.problem = (
                    f"lost push {position} of a page of {len(items)} could not be applied "
                    f"({type(error).__name__}); that page is not confirmed, Shopee lists it again"
                )
                return report
            report.fetched += 1
            report.applied += row.outcome == PushOutcome.APPLIED
            report.duplicates += row.outcome == PushOutcome.DUPLICATE
            report.malformed += row.outcome == PushOutcome.MALFORMED
        if items:
            shopee_call(
                client=client,
                api=api.confirm_consumed_lost_push_message(last_message_id=last),
                actor_label=actor_label,
            )
            report.confirmed_up_to = last
        if not items or not more:
            break
    return report


def _page(response) -> tuple[list, int, bool]:
    """(entries, last_message_id, has_next_page) of one answer, or ShopeeTransientError."""
    response = response if isinstance(response, dict) else {}
    items = response.get("push_message_list")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ShopeeTransientError("Shopee's answer is malformed: push_message_list is no list")
    last = 0
    if items:
        try:
            last = parse_int(response.get("last_message_id"), label="last_message_id", minimum=1)
        except NumberError as error:
            raise ShopeeTransientError(f"Shopee's answer is malformed: {error}") from None
    return items, last, response.get("has_next_page") is True


def _lost_push_row(item) -> ShopeePush:
    context = {"source": PushSource.LOST, "signature_valid": True}
    try:
        message, whole = lost_entry_message(item)
    except PushMalformed as error:
        logger.error("A lost push from Shopee is malformed and cannot be applied: %s", error)
        detail = f"Not applied (malformed, confirmed to Shopee; kept here): {error}"
        return push_log(**context, **_entry(item), outcome=PushOutcome.MALFORMED, detail=detail)
    return push_apply(message, body=whole, **context)


def _entry(item) -> dict:
    """What to keep of a malformed entry: its JSON (secrets removed) or an excerpt."""
    try:
        text = json.dumps(item, allow_nan=False)
    except (TypeError, ValueError):
        text = None
    if text is not None and len(text) <= ENTRY_EXCERPT_CHARS:
        return {"body": redact(item)}
    return {"body_excerpt": (text or repr(item))[:ENTRY_EXCERPT_CHARS]}
