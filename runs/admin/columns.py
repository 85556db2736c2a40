"""The runs list's columns: each run's status as a badge that tells a run with refusals or
failures from a clean one, and its outcome as counts and a small stacked bar.

The bar is SVG drawn here with presentation attributes only (the Content-Security-Policy
forbids style attributes); its colours are classes of vouchers/static/vouchers/shopadmin.css.
The counts are annotations of the list's own query: one query per page, whatever the runs' sizes.
"""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.cells import badge, truncated
from core.times import ago, with_offset
from runs.models import EndRunItem, ItemState, RunStatus
from shops.services.access import sees_all_shops, shops_visible

# The outcomes a run's bar shows, in its order; other states (pending, canceled...) are "other".
OUTCOMES = (
    ItemState.ENDED,
    ItemState.DELETED,
    ItemState.SKIPPED,
    ItemState.REFUSED,
    ItemState.FAILED,
)


def with_outcome_counts(runs, user):
    """`runs` annotated with n_<outcome> and n_total: their items by state, the user's own
    shops' items only for a team member. Correlated subqueries on the (run, state) index."""
    items = EndRunItem.objects.filter(run=OuterRef("pk")).order_by().values("run")
    if not sees_all_shops(user):
        items = items.filter(shop__in=shops_visible(user).values("pk"))

    def counted(condition):
        counts = items.filter(condition).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counts, output_field=IntegerField()), 0)

    return runs.annotate(
        n_total=counted(Q()),
        **{f"n_{state}": counted(Q(state=state)) for state in OUTCOMES},
    )


def outcome_words(state, count) -> str:
    """ "3 ended", "1 refused": each a literal for makemessages, with its plural."""
    words = {
        ItemState.ENDED: ngettext("%(n)s ended", "%(n)s ended", count),
        ItemState.DELETED: ngettext("%(n)s deleted", "%(n)s deleted", count),
        ItemState.SKIPPED: ngettext("%(n)s skipped", "%(n)s skipped", count),
        ItemState.REFUSED: ngettext("%(n)s refused", "%(n)s refused", count),
        ItemState.FAILED: ngettext("%(n)s failed", "%(n)s failed", count),
    }
    return words[state] % {"n": count}


def outcome_counts(run) -> dict:
    counts = {state: getattr(run, f"n_{state}", 0) or 0 for state in OUTCOMES}
    counts["other"] = max((getattr(run, "n_total", 0) or 0) - sum(counts.values()), 0)
    return counts


class RunColumns:
    """Mixed into EndRunAdmin: the list's computed columns."""

    @admin.display(description=_("run"), ordering="pk")
    def run_label(self, run):
        return gettext("Run %(run)s") % {"run": run.pk}

    @admin.display(description=_("started"), ordering="created_at")
    def created(self, run):
        return format_html(
            '<span class="nowrap">{}</span><br><span class="cell-note">{}</span>',
            with_offset(run.created_at),
            ago(run.created_at),
        )

    @admin.display(description=_("started by"), ordering="created_by_username")
    def started_by(self, run):
        return truncated(run.created_by_username, css="cell-user")

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, run):
        counts = outcome_counts(run)
        troubles = counts[ItemState.REFUSED] + counts[ItemState.FAILED]
        if run.status == RunStatus.FINISHED and troubles:
            text = ngettext(
                "Finished, %(n)s voucher not ended",
                "Finished, %(n)s vouchers not ended",
                troubles,
            ) % {"n": troubles}
            return badge("problems", text)
        return badge(run.status, run.get_status_display())

    @admin.display(description=_("outcome"))
    def outcome(self, run):
        counts = outcome_counts(run)
        total = sum(counts.values())
        if not total:
            return format_html('<span class="cell-note">{}</span>', gettext("no vouchers"))
        parts, x = [], 0.0
        for state, count in counts.items():
            if not count:
                continue
            width = 100 * count / total
            label = (
                outcome_words(state, count)
                if state != "other"
                else gettext("%(n)s other") % {"n": count}
            )
            parts.append((f"run-{state}", f"{x:.3f}", f"{width:.3f}", label))
            x += width
        bar = format_html_join(
            "",
            '<rect class="{}" x="{}" y="0" width="{}" height="10"><title>{}</title></rect>',
            parts,
        )
        words = ", ".join(
            outcome_words(state, counts[state]) for state in OUTCOMES if counts[state]
        )
        return format_html(
            '<svg class="run-outcome" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"'
            ' aria-label="{}">{}</svg><span class="run-outcome-counts">{}</span>',
            words,
            bar,
            words,
        )

    @admin.display(description=_("selection"))
    def selection_label(self, run):
        return truncated(run.selection, css="cell-wide")
