"""The admin's home: the dashboard (`services.dashboard`) above Django's list of models.

`admin_home` is the admin index with the dashboard's figures added; the charts are SVG drawn
here, on the server, so that the page needs no script, no network and no inline style (the
Content-Security-Policy allows SVG presentation attributes; colours come from classes in
vouchers/static/vouchers/dashboard.css).
"""

from dataclasses import dataclass

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.regions import region_zone
from core.times import utc_offset, with_offset
from ops.services.dashboard import RUN_OUTCOMES, Dashboard, dashboard_for
from runs.models import ItemState

# Chart geometry, in SVG user units (the SVG is scaled to the page's width).
BAR = 5
PLOT_HEIGHT = 120
LEFT = 44  # room for the scale's labels
TOP = 8
AXIS = 20  # room for the day labels
CALLS_TITLE = _("Shopee calls per hour, last 7 days")
ERRORS_TITLE = _("Errors per hour (failed or refused), last 7 days")
OUTCOME_CLASSES = {
    ItemState.ENDED: "dash-ended",
    ItemState.DELETED: "dash-deleted",
    ItemState.SKIPPED: "dash-skipped",
    ItemState.REFUSED: "dash-refused",
    ItemState.FAILED: "dash-failed",
    "other": "dash-other",
}


def admin_home(request):
    """The admin index with the dashboard of the signed-in user's teams."""
    board = dashboard_for(request.user)
    return admin.site.index(request, extra_context={"dashboard": dashboard_context(board)})


def dashboard_context(board: Dashboard) -> dict:
    zone = timezone.get_current_timezone()
    context = {"board": board, "now": with_offset(board.now, zone)}
    if board.alerts is not None:
        context["alerts"] = [
            {
                "shop": alert,
                "ends": with_offset(alert.ends_at, region_zone(alert.region)),
            }
            for alert in board.alerts
        ]
        context["alerts_more"] = board.alerts_total - len(board.alerts)
    if board.live_shops is not None:
        context["live_more"] = board.live_shops_total - len(board.live_shops)
        context["live_rows"] = [
            {"shop": shop, "counts": [shop.counts[kind] for kind, _ in board.live_kinds]}
            for shop in board.live_shops
        ]
        context["live_totals"] = [board.live_totals[kind] for kind, _ in board.live_kinds]
    if board.runs is not None:
        labels = {state: ItemState(state).label for state in RUN_OUTCOMES}
        labels["other"] = gettext("Other (pending, canceled, end time set)")
        context["legend"] = [(OUTCOME_CLASSES[state], label) for state, label in labels.items()]
        context["runs"] = [
            {"run": run, "created": with_offset(run.created_at, zone), "bar": run_bar(run)}
            for run in board.runs
        ]
    if board.hours is not None:
        context["calls_chart"] = hour_chart(
            board.hours, zone, errors=False, label=CALLS_TITLE, chart_id="calls-chart"
        )
        context["errors_chart"] = hour_chart(
            board.hours, zone, errors=True, label=ERRORS_TITLE, chart_id="errors-chart"
        )
    return context


def run_bar(run) -> list[dict]:
    """A run's outcome bar: segments over 0..100, one per outcome with items, with a tooltip."""
    labels = {state: ItemState(state).label for state in RUN_OUTCOMES}
    labels["other"] = gettext("Other (pending, canceled, end time set)")
    total, x, segments = run.total, 0.0, []
    for state, count in run.counts.items():
        if not count:
            continue
        width = 100 * count / total
        segments.append(
            {
                "x": round(x, 3),
                "width": round(width, 3),
                "css": OUTCOME_CLASSES[state],
                "title": f"{labels[state]}: {count}",
            }
        )
        x += width
    return segments


@dataclass
class Chart:
    svg: str  # the chart's markup, escaped
    total: int
    peak: int


def hour_chart(hours, zone, *, errors: bool, label: str, chart_id: str) -> Chart:
    """Bars of calls (or of failures and refusals, stacked) per hour, a dashed line and a label
    at each local midnight, the scale at the left, each hour's figures in its tooltip. Built
    here rather than in a template: 168 bars, each with a tooltip, drawn in a few milliseconds."""
    values = [hour.errors if errors else hour.calls for hour in hours]
    peak, top = max(values), nice_ceiling(max(values))
    width, height, bottom = LEFT + len(hours) * BAR + 4, TOP + PLOT_HEIGHT + AXIS, TOP + PLOT_HEIGHT
    parts = [
        format_html(
            '<svg class="dash-chart" id="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">',
            chart_id,
            width,
            height,
            label,
        )
    ]
    for fraction in (0, 0.5, 1):
        y = _num(TOP + PLOT_HEIGHT * (1 - fraction))
        parts.append(
            f'<line class="dash-grid-line" x1="{LEFT - 4}" x2="{width}" y1="{y}" y2="{y}"/>'
            f'<text class="dash-axis" x="{LEFT - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="10">{round(top * fraction)}</text>'
        )
    days = {}
    for n, hour in enumerate(hours):
        x = LEFT + n * BAR
        local = timezone.localtime(hour.start, zone)
        if local.date() not in days:
            days[local.date()] = date_format(local, "D j M")
            if n:  # a local midnight
                parts.append(
                    f'<line class="dash-day-line" x1="{x}" x2="{x}" y1="{TOP}" y2="{height}"/>'
                    f'<text class="dash-axis" x="{x + 2}" y="{height - 4}" font-size="10">'
                    f"{escape(date_format(local, 'D j'))}</text>"
                )
        when = f"{days[local.date()]} {local:%H:%M} {utc_offset(local)}"
        if errors:
            stack = [(hour.failed, "dash-failed"), (hour.refused, "dash-refused")]
            title = ngettext(
                "%(when)s: %(count)s error (%(failed)s failed, %(refused)s refused)",
                "%(when)s: %(count)s errors (%(failed)s failed, %(refused)s refused)",
                hour.errors,
            ) % {"when": when, "count": hour.errors, "failed": hour.failed, "refused": hour.refused}
        else:
            stack = [(hour.calls, "dash-calls")]
            title = ngettext(
                "%(when)s: %(count)s call", "%(when)s: %(count)s calls", hour.calls
            ) % {"when": when, "count": hour.calls}
        parts.append(f'<g class="dash-bar"><title>{escape(title)}</title>')
        # An empty hour still has a (transparent) bar, so that its tooltip shows.
        parts.append(
            f'<rect class="dash-hover" x="{x}" y="{TOP}" width="{BAR}" height="{PLOT_HEIGHT}"/>'
        )
        base = bottom
        for value, css in stack:
            if value:
                size = max(PLOT_HEIGHT * value / top, 1)
                base -= size
                parts.append(
                    f'<rect class="{css}" x="{x}" y="{_num(base)}" width="{BAR - 1}" '
                    f'height="{_num(size)}"/>'
                )
        parts.append("</g>")
    parts.append("</svg>")
    return Chart(svg=mark_safe("".join(parts)), total=sum(values), peak=peak)  # noqa: S308 - escaped above


def _num(value: float) -> str:
    """A coordinate as SVG reads it (a dot for decimals, whatever the page's language)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ceiling(value: int) -> int:
    """The chart's top: 1, 2 or 5 times a power of ten, at least `value` (and at least 4, so
    that a quiet week does not look busy)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= max(value, 4):
                return step * factor
        step *= 10
