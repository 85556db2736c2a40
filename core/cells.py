"""Small pieces of HTML for the admin's list cells: a badge and a text cut to its cell.

Their looks are classes of vouchers/static/vouchers/shopadmin.css (the Content-Security-Policy
forbids style attributes), so a list stays within a 1366 px laptop's width.
"""

from django.utils.html import format_html


def badge(kind: str, text, *, title="") -> str:
    """A status as a coloured label: `kind` names its colour (`badge-<kind>` in the CSS)."""
    if title:
        return format_html('<span class="badge badge-{}" title="{}">{}</span>', kind, title, text)
    return format_html('<span class="badge badge-{}">{}</span>', kind, text)


def truncated(text, *, css: str = "cell-name") -> str:
    """Text cut to its cell's width with an ellipsis, the whole of it in the tooltip."""
    if not text:
        return "-"
    return format_html('<span class="truncate {}" title="{}">{}</span>', css, text, text)
