"""Mails to staff: a run's outcome to the user who started it, shop alerts to the shop's team.

A mail is a side effect: `run_notify` sends it only after the transaction that ended the run
commits (`transaction.on_commit`), and a failure to send (SMTP down, refused, timed out) is
logged and swallowed, so it never breaks a run or a request. Mails carry counts, names, Shopee's
words and links, never a token. Each user can turn either kind off (`NotificationSettings`); a
user without settings gets both.

A shop alert goes out at most once per shop, kind and day (the day in TIME_ZONE): the row of
`ShopAlertSent` is created first, under its unique constraint, and only the creator of the row
sends, so repeated calls and several workers send it once; a send that fails deletes the row,
so the next call tries again.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import NotificationSettings, ShopAlertKind, ShopAlertSent
from runs.models import EndRun, EndRunItem, ItemState, RunStatus
from shopee.wording import failure_in_words
from shops.models import AUTHORIZATION_WARNING, Shop

log = logging.getLogger(__name__)

# What a run's mail counts, in this order; the subject names those that are not zero.
RUN_COUNTS = [
    ((ItemState.ENDED,), "ended"),
    ((ItemState.DELETED,), "deleted"),
    ((ItemState.RESCHEDULED,), "end set at Shopee"),
    ((ItemState.SKIPPED,), "skipped"),
    ((ItemState.REFUSED,), "refused"),
    ((ItemState.FAILED,), "failed"),
    ((ItemState.CANCELED,), "canceled"),
    ((ItemState.PENDING, ItemState.SENDING), "not done"),
]
COUNTS_ALWAYS_SHOWN = {"ended", "deleted", "end set at Shopee", "skipped", "refused", "failed"}
RUN_OUTCOMES = {
    RunStatus.FINISHED: "finished",
    RunStatus.STOPPED: "stopped",
    RunStatus.CANCELED: "canceled",
}
FAILURES_LISTED = 10


def absolute_url(path: str) -> str:
    return f"{settings.SHOPADMIN_BASE_URL}{path}"


def notification_settings_get(*, user) -> NotificationSettings:
    """The user's choices; the defaults (everything on) when they never chose."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def notification_settings_set(*, user, runs: bool, shop_alerts: bool) -> NotificationSettings:
    choices, _ = NotificationSettings.objects.update_or_create(
        user=user, defaults={"runs": runs, "shop_alerts": shop_alerts}
    )
    return choices


def _deliver(messages: list[EmailMessage], *, what: str) -> int:
    """Send `messages` over one connection; returns how many were sent (0 when sending
    failed: that is logged, without addresses or server credentials, and not raised)."""
    if not messages:
        return 0
    try:
        with mailers.default as connection:
            return connection.send_messages(messages) or 0
    except Exception as error:  # any failure: a mail must never break a run or a request
        log.warning("Could not send %s (%d mails): %s", what, len(messages), type(error).__name__)
        return 0


# Runs ------------------------------------------------------------------------------------------


def run_notify(*, run: EndRun) -> None:
    """Tell the run's creator how it ended (finished, stopped or canceled), once the current
    transaction commits; at once outside a transaction."""
    run_id = run.pk
    transaction.on_commit(lambda: run_mail_send(run_id=run_id), robust=True)


def run_mail_send(*, run_id: int) -> bool:
    """Mail run `run_id`'s counts and link to its creator, if they have an email and want run
    mails. Returns whether a mail was sent."""
    run = EndRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or run.status not in RUN_OUTCOMES:
        return False
    user = run.created_by
    if user is None or not user.is_active or not user.email:
        return False
    if not notification_settings_get(user=user).runs:
        return False
    subject, body = _run_mail(run)
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    return _deliver([message], what=f"the mail of run {run.pk}") == 1


def _failure_words(item: EndRunItem) -> str:
    """The plain sentence first (as on the run's page); the technical detail on its own line."""
    return failure_in_words(
        error=item.error,
        message=item.reason,
        attempts=item.attempts,
        refused=item.state == ItemState.REFUSED,
    )


def _failure_detail(item: EndRunItem) -> str:
    parts = [f"error {item.error}" if item.error else "", item.reason]
    if item.request_id:
        parts.append(f"request_id {item.request_id}")
    parts.append(f"{item.attempts} attempt(s)")
    return ", ".join(part for part in parts if part)


def _run_mail(run: EndRun) -> tuple[str, str]:
    by_state = dict(
        EndRunItem.objects.filter(run=run)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    counts = [(label, sum(by_state.get(s, 0) for s in states)) for states, label in RUN_COUNTS]
    outcome = RUN_OUTCOMES[run.status]
    named = [f"{n} {label}" for label, n in counts if n] or ["no vouchers"]
    subject = f"Run {run.pk} {outcome}: {', '.join(named)}"
    when = _local(run.finished_at or timezone.now())
    lines = [
        f"Run {run.pk} {outcome} at {when}.",
        "",
        f"Selection: {run.selection}",
        f"Started by: {run.created_by_username} at {_local(run.created_at)}",
        "",
        *(
            f"{label[0].upper()}{label[1:]}: {n}"
            for label, n in counts
            if n or label in COUNTS_ALWAYS_SHOWN
        ),
    ]
    if run.status == RunStatus.STOPPED:
        lines += ["", f"Why it stopped: {run.stop_reason}", "Fix that, then Resume the run."]
    failures = EndRunItem.objects.filter(
        run=run, state__in=[ItemState.REFUSED, ItemState.FAILED]
    ).select_related("shop")
    failed = by_state.get(ItemState.REFUSED, 0) + by_state.get(ItemState.FAILED, 0)
    if failed:
        shown = min(failed, FAILURES_LISTED)
        lines += ["", f"Refused or failed ({shown} of {failed} listed):"]
        for item in failures.order_by("id")[:FAILURES_LISTED]:
            shop = item.shop.name if item.shop else "(deleted shop)"
            code = item.voucher_code or item.voucher_shopee_id
            lines.append(f"- {code} ({shop}), {item.get_state_display()}: {_failure_words(item)}")
            lines.append(f"  Detail: {_failure_detail(item)}")
        lines.append("Failed items can be retried from the run's page.")
    page = absolute_url(reverse("admin:runs_endrun_change", args=[run.pk]))
    lines += ["", f"The run's page: {page}", "", *_footer("you started this run")]
    return subject, "\n".join(lines) + "\n"


# Shop alerts -----------------------------------------------------------------------------------


def shop_recipients(shop: Shop) -> list:
    """The people to tell about `shop`: active users with an email and shop alerts on, who are
    members of a team (auth Group) that has the shop; for a shop of no team, the superusers (so
    that an alert about a shop not yet given to a team still reaches someone)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(notification_settings__shop_alerts=False)
    )
    if shop.teams.exists():
        users = users.filter(groups__shops=shop).distinct()
    else:
        users = users.filter(is_superuser=True)
    return list(users.order_by("pk"))


@dataclass
class ShopAlertReport:
    sent: list = field(default_factory=list)  # (shop, kind, number of mails)
    failed: list = field(default_factory=list)  # (shop, kind): the next call tries again


def shop_alerts_send(*, now=None) -> ShopAlertReport:
    """Mail each shop's recipients about shops that need re-authorization and shops whose
    authorization ends within AUTHORIZATION_WARNING: once per shop, kind and day."""
    now = now or timezone.now()
    report = ShopAlertReport()
    alerts = [
        (shop, ShopAlertKind.NEEDS_REAUTH)
        for shop in Shop.objects.filter(needs_reauth_since__isnull=False)
    ]
    expiring = Shop.objects.filter(needs_reauth_since__isnull=True).filter(
        Q(authorization_expires_at__lte=now + AUTHORIZATION_WARNING)
        | Q(authorization_expiry_notice_at__isnull=False)
    )
    alerts += [(s, ShopAlertKind.EXPIRING) for s in expiring if s.authorization_expiring(now)]
    for shop, kind in alerts:
        sent = _shop_alert_send(shop, kind, now)
        if sent:
            report.sent.append((shop, kind, sent))
        elif sent == 0:
            report.failed.append((shop, kind))
    return report


def _shop_alert_send(shop: Shop, kind: str, now) -> int | None:
    """Mails sent; None when there was nothing to do (no one to tell, or sent already today)."""
    recipients = shop_recipients(shop)
    if not recipients:
        return None
    try:
        with transaction.atomic():
            claim = ShopAlertSent.objects.create(
                shop=shop, kind=kind, day=timezone.localdate(now), recipients=len(recipients)
            )
    except IntegrityError:
        return None  # sent today already, or being sent by another worker
    subject, body = _shop_alert_mail(shop, kind, now)
    messages = [EmailMessage(subject=subject, body=body, to=[user.email]) for user in recipients]
    sent = _deliver(messages, what=f"the {kind} alert of shop {shop.pk}")
    if not sent:
        ShopAlertSent.objects.filter(pk=claim.pk).delete()
    return sent


def _shop_alert_mail(shop: Shop, kind: str, now) -> tuple[str, str]:
    name = f"{shop.name} ({shop.shop_id}{', ' + shop.region if shop.region else ''})"
    if kind == ShopAlertKind.NEEDS_REAUTH:
        subject = f"Shop {name} needs re-authorization"
        lines = [
            f"Shop {name} needs re-authorization by the seller "
            f"(since {_local(shop.needs_reauth_since)}).",
            f"Why: {shop.needs_reauth_reason or 'not recorded'}",
            "",
            "Until the seller authorizes the app again, runs skip this shop's vouchers.",
        ]
    else:
        ends = shop.authorization_expires_at
        if ends is None:
            soon, when = "soon", "soon (Shopee says so; the date is not known yet)"
        elif ends <= now:
            soon, when = "now", f"on {_local(ends)}: it has ended"
        else:
            days = shop.authorization_days_left(now)
            soon = "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
            when = f"{soon}, on {_local(ends)}"
        subject = f"Shop {name}: the seller's authorization ends {soon}"
        lines = [
            f"The seller's authorization of shop {name} ends {when}.",
            "",
            "After that no call can be made for the shop: ask the seller to authorize the app "
            "again (Reconnect on the shop list) before then.",
        ]
    shops_page = absolute_url(reverse("admin:shops_shop_changelist"))
    shop_page = absolute_url(reverse("admin:shops_shop_change", args=[shop.pk]))
    lines += [
        "",
        f"The shop list (Reconnect): {shops_page}",
        f"The shop: {shop_page}",
        "",
        *_footer(
            "you are on the shop's team (or a superuser, while the shop has no team); "
            "at most one a day per shop"
        ),
    ]
    return subject, "\n".join(lines) + "\n"


def _footer(why: str) -> list[str]:
    return [
        "--",
        f"shopadmin sends you this mail because {why}.",
        f"Turn these mails off: {absolute_url(reverse('notification_settings'))}",
    ]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "unknown"
