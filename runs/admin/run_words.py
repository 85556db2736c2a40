"""A run's page in the words of its kinds of promotion (a campaign run's, not only vouchers').

The kind plug-in (`promotions.services.kinds.kind_named`) gives each kind's translated name and
the Shopee call each action sends, so an item reads "End (end_discount)" or "Switch off
(update_shop_flash_sale)" and a campaign's counts read per kind.
"""

import datetime as dt

from django.utils.translation import gettext

from core.times import with_offset
from promotions.services.kinds import kind_named
from runs.models import ItemAction, ItemState

_ACTION_WORDS = {
    ItemAction.END: lambda: gettext("End (%(call)s)"),
    ItemAction.DELETE: lambda: gettext("Delete at Shopee (%(call)s)"),
    ItemAction.SET_END: lambda: gettext("Set the end time at Shopee (%(call)s)"),
    ItemAction.DISABLE: lambda: gettext("Switch off (%(call)s)"),
}


def kind_label(name: str) -> str:
    """The kind's translated name ("discount"); an unknown name as it is."""
    try:
        return str(kind_named(name).label)
    except KeyError:
        return name


def kind_labels(names) -> str:
    """Kinds' translated plural names, joined ("vouchers, discounts")."""
    labels = []
    for name in names or ():
        try:
            labels.append(str(kind_named(name).label_plural))
        except KeyError:
            labels.append(name)
    return ", ".join(labels)


def action_words(item) -> str:
    """What the run does with `item`, with the Shopee call its kind sends for it."""
    try:
        kind = kind_named(item.kind)
        call = _call(kind, item.action, item.voucher_shopee_id)
    except (KeyError, NotImplementedError):
        return item.get_action_display()
    words = _ACTION_WORDS.get(item.action)
    if words is None or not call:
        return item.get_action_display()
    return words() % {"call": call}


def _call(kind, action, shopee_id) -> str:
    if action == ItemAction.DELETE:
        api_call = kind.delete_call(shopee_id)
    elif action == ItemAction.SET_END:
        api_call = kind.set_end_call(shopee_id, 0)
    else:
        api_call = kind.end_call(shopee_id)
    return api_call.path.rstrip("/").rsplit("/", 1)[-1]


def with_kind_words(items) -> list:
    """`items` (run items), each given `kind_label` and `action_words` for the page."""
    for item in items:
        item.kind_label = kind_label(item.kind)
        item.action_words = action_words(item)
    return items


def kind_rows(by_kind: dict) -> list[dict]:
    """One row per kind of `by_kind` (run_counts' counts by state per kind): its name, and what
    was ended, deleted, switched off (a kind whose stop is "disable"), skipped, refused, failed
    and is still pending."""
    rows = []
    for name, counts in by_kind.items():
        try:
            kind = kind_named(name)
            label, disables = kind.label_plural, kind.end_action == ItemAction.DISABLE
        except KeyError:
            label, disables = name, False
        stopped = counts.get(ItemState.ENDED, 0)
        rows.append(
            {
                "name": name,
                "label": str(label),
                "ended": 0 if disables else stopped,
                "switched_off": stopped if disables else 0,
                "deleted": counts.get(ItemState.DELETED, 0),
                "skipped": counts.get(ItemState.SKIPPED, 0),
                "refused": counts.get(ItemState.REFUSED, 0),
                "failed": counts.get(ItemState.FAILED, 0),
                "pending": counts.get(ItemState.PENDING, 0) + counts.get(ItemState.SENDING, 0),
                "canceled": counts.get(ItemState.CANCELED, 0),
            }
        )
    return rows


def campaign_selection(run, shop_names=None) -> str:
    """A campaign run's selection in the reader's language, from its rule: its kinds, the shops
    (`shop_names`; None leaves them out), its words and time window. A follow-up run's stored
    words (they name no kind) are kept."""
    if run.selection.startswith("Follow-up of run"):
        return run.selection
    rule = run.rule or {}
    kinds = kind_labels(rule.get("kinds"))
    if shop_names is None:
        parts = [gettext("Stop a campaign: %(kinds)s of the rule's shops") % {"kinds": kinds}]
    else:
        parts = [
            gettext("Stop a campaign: %(kinds)s of %(shops)s")
            % {"kinds": kinds, "shops": ", ".join(shop_names)}
        ]
    if rule.get("code_prefix"):
        parts.append(gettext("code starting with “%(prefix)s”") % {"prefix": rule["code_prefix"]})
    if rule.get("name_contains"):
        parts.append(gettext("name containing “%(words)s”") % {"words": rule["name_contains"]})
    window = window_words(rule)
    if window:
        parts.append(window)
    return ", ".join(parts)


def window_words(rule) -> str:
    """A campaign rule's time window in words, in the reader's time zone ("" without one)."""
    start, end = (list(rule.get("window") or []) + [None, None])[:2]
    if start and end:
        return gettext("running between %(start)s and %(end)s") % {
            "start": _moment(start),
            "end": _moment(end),
        }
    if end:
        return gettext("starting before %(end)s") % {"end": _moment(end)}
    if start:
        return gettext("ending after %(start)s") % {"start": _moment(start)}
    return ""


def _moment(value) -> str:
    try:
        return with_offset(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return "…"
