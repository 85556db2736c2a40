"""A shop job as its page shows it: per-shop progress, then the messages staff are given.

The messages are the ones the shop list used to give when this work ran inside the request
("Connected main account …: added 3 shops (…); 6 vouchers synced.", "Acme: 2 new and 0
updated vouchers (1 page).", …), derived from the rows when the page is shown, so they are in
the reader's language and always match the rows.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext, ngettext

from jobs.models import ConnectChange, JobKind, JobStatus, RowState, ShopJob
from shops.services.access import sees_all_shops

ROWS_SHOWN = 1000
NOT_CONNECTED_NAMED = 20


@dataclass
class JobProgress:
    total: int = 0
    done: int = 0
    failed: int = 0
    vouchers: int = 0
    rows: list = field(default_factory=list)
    messages: list = field(default_factory=list)  # [(level, text)]: success, warning, error, info

    @property
    def finished(self):
        return self.done + self.failed

    @property
    def percent(self):
        return int(100 * self.finished / self.total) if self.total else 100


def shop_job_progress(*, job: ShopJob, viewer) -> JobProgress:
    """Counts, the first `ROWS_SHOWN` rows, and, once the job is over, its messages as
    `viewer` may read them."""
    figures = job.rows.aggregate(
        total=Count("id"),
        failed=Count("id", filter=Q(state=RowState.FAILED)),
        done=Count("id", filter=~Q(state__in=[RowState.PENDING, RowState.FAILED])),
        vouchers=Sum(F("created") + F("updated"), default=0),
    )
    progress = JobProgress(**figures, rows=list(job.rows.order_by("id")[:ROWS_SHOWN]))
    if not job.active:  # a message per shop at most, as the shop list gave
        progress.messages = _messages(job, list(job.rows.order_by("id")), progress, viewer)
    return progress


def shop_job_row_words(row) -> str:
    """What happened to one shop, in plain words, for the page's table."""
    if row.state == RowState.PENDING:
        if row.info_at is not None:
            return gettext("Details fetched; reading its vouchers…")
        return gettext("Waiting")
    if row.state == RowState.FAILED:
        return row.error
    if row.state == RowState.NOT_LISTED:
        return gettext("Not authorized at Shopee any more (to be reconnected)")
    if row.job.kind == JobKind.AUTHORIZATIONS:
        return gettext("Authorized at Shopee")
    if row.job.kind == JobKind.CAMPAIGN:  # `created`: the live promotions Shopee listed
        return ngettext(
            "%(count)s live promotion listed by Shopee",
            "%(count)s live promotions listed by Shopee",
            row.created,
        ) % {"count": row.created}
    return ngettext(
        "%(count)s voucher synced (%(created)s new, %(updated)s updated)",
        "%(count)s vouchers synced (%(created)s new, %(updated)s updated)",
        row.vouchers,
    ) % {"count": row.vouchers, "created": row.created, "updated": row.updated}


def _messages(job, rows, progress, viewer):
    if job.status == JobStatus.FAILED:
        wording = {
            JobKind.CONNECT: gettext("Fetching the shops' details and vouchers failed: %(error)s"),
            JobKind.SYNC: gettext("Sync failed: %(error)s"),
            JobKind.AUTHORIZATIONS: gettext("Checking authorizations failed: %(error)s"),
            JobKind.CAMPAIGN: gettext("Reading Shopee's lists failed: %(error)s"),
        }[job.kind]
        return [("error", wording % {"error": job.error})]
    return {
        JobKind.CONNECT: _connect_messages,
        JobKind.SYNC: _sync_messages,
        JobKind.AUTHORIZATIONS: _authorization_messages,
        JobKind.CAMPAIGN: _campaign_messages,
    }[job.kind](job, rows, progress, viewer)


def _name(row):
    return f"{row.shop_name} ({row.shop_shopee_id})"


def _connect_messages(job, rows, progress, viewer):
    if job.main_account_id is None:
        summary = gettext("Connected %(shop)s: tokens stored, %(synced)s vouchers synced.") % {
            "shop": _name(rows[0]) if rows else "",
            "synced": progress.vouchers,
        }
    else:
        parts = []
        for wording, change in (
            (_added_shops, ConnectChange.ADDED),
            (_reconnected_shops, ConnectChange.RECONNECTED),
        ):
            shops = sorted((row for row in rows if row.connect_change == change), key=_name)
            if shops:
                names = ", ".join(_name(row) for row in shops)
                parts.append(wording(len(shops)) % {"count": len(shops), "names": names})
        summary = gettext(
            "Connected main account %(account)s: %(parts)s; %(synced)s vouchers synced."
        ) % {
            "account": job.main_account_id,
            "parts": gettext(" and ").join(parts),
            "synced": progress.vouchers,
        }
    messages = [("success", summary)]
    for row in rows:
        if row.state == RowState.FAILED:
            text = gettext(
                "%(shop)s: connected, but fetching its details or vouchers failed: %(error)s"
            ) % {"shop": _name(row), "error": row.error}
            messages.append(("warning", text))
    return messages


def _added_shops(count):
    return ngettext("added %(count)s shop (%(names)s)", "added %(count)s shops (%(names)s)", count)


def _reconnected_shops(count):
    return ngettext(
        "reconnected %(count)s shop (%(names)s)", "reconnected %(count)s shops (%(names)s)", count
    )


def _sync_messages(job, rows, progress, viewer):
    messages = []
    for row in rows:
        if row.state == RowState.FAILED and row.unavailable:
            messages.append(("error", row.error))
        elif row.state == RowState.FAILED:
            text = gettext("%(shop)s: sync failed: %(error)s") % {
                "shop": _name(row),
                "error": row.error,
            }
            messages.append(("error", text))
        else:
            text = ngettext(
                "%(shop)s: %(created)s new and %(updated)s updated vouchers (%(pages)s page).",
                "%(shop)s: %(created)s new and %(updated)s updated vouchers (%(pages)s pages).",
                row.pages,
            ) % {
                "shop": _name(row),
                "created": row.created,
                "updated": row.updated,
                "pages": row.pages,
            }
            messages.append(("success", text))
    return messages


def _campaign_messages(job, rows, progress, viewer):
    """A campaign's read: its preview says the rest (what will be stopped, what was not read)."""
    failed = [row for row in rows if row.state == RowState.FAILED]
    messages = [("success", gettext("Shopee's lists are read: the campaign's preview is ready."))]
    for row in failed:
        text = gettext("%(shop)s: not read in full: %(error)s") % {
            "shop": _name(row),
            "error": row.error,
        }
        messages.append(("warning", text))
    return messages


def _authorization_messages(job, rows, progress, viewer):
    """Partner-wide facts (how many shops Shopee lists, which ids are not connected here) are
    for staff who see every shop: a team member learns only about their own shops (issue 16)."""
    confirmed = sum(1 for row in rows if row.state == RowState.DONE)
    partner_wide = sees_all_shops(viewer)
    if partner_wide:
        listed = job.outcome.get("listed", 0)
        summary = ngettext(
            "Shopee lists %(listed)s shop authorized for this app; "
            "%(confirmed)s of the selected confirmed.",
            "Shopee lists %(listed)s shops authorized for this app; "
            "%(confirmed)s of the selected confirmed.",
            listed,
        ) % {"listed": listed, "confirmed": confirmed}
    else:
        selected = sum(1 for row in rows if row.state != RowState.FAILED)
        summary = ngettext(
            "%(confirmed)s of the %(selected)s selected shop confirmed by Shopee.",
            "%(confirmed)s of the %(selected)s selected shops confirmed by Shopee.",
            selected,
        ) % {"confirmed": confirmed, "selected": selected}
    messages = [("success", summary)]
    lost = [row for row in rows if row.state == RowState.NOT_LISTED]
    if lost:
        names = ", ".join(_name(row) for row in lost)
        messages.append(
            (
                "warning",
                gettext("Not authorized at Shopee any more (to be reconnected): %(names)s.")
                % {"names": names},
            )
        )
    not_connected = job.outcome.get("not_connected") or []
    if not_connected and partner_wide:
        ids = ", ".join(str(shop_id) for shop_id in not_connected[:NOT_CONNECTED_NAMED])
        more = len(not_connected) - NOT_CONNECTED_NAMED
        messages.append(
            (
                "info",
                gettext("Authorized at Shopee but not connected here: %(ids)s%(more)s.")
                % {
                    "ids": ids,
                    "more": gettext(" and %(more)s more") % {"more": more} if more > 0 else "",
                }
                + " "
                + gettext("Connect them to use them."),
            )
        )
    return messages
