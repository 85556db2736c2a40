"""Times as staff read them: a moment in a zone with that zone's UTC offset, and durations and
"ago" in words with proper plurals.

An offset ("+08", "+07", "+0530") says exactly which moment is meant; an abbreviation does not
(the Philippines' "PST" is also the US Pacific's), so pages never show one.
"""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

DAY = 86400
HOUR = 3600
MINUTE = 60


def utc_offset(local: dt.datetime) -> str:
    """The UTC offset of an aware datetime: "+08", "-03", "+0530" (minutes only when needed)."""
    offset = local.strftime("%z")  # "+0800", "+053000" for an offset with seconds
    return offset[:3] if offset[3:5] == "00" else offset[:5]


def with_offset(moment: dt.datetime | None, zone: dt.tzinfo | None = None) -> str:
    """`moment` in `zone` (the current time zone by default) with the zone's UTC offset:
    "2026-12-07 14:00 +08"; "-" for no moment."""
    if moment is None:
        return "-"
    local = timezone.localtime(moment, zone or timezone.get_current_timezone())
    return f"{date_format(local, 'Y-m-d H:i')} {utc_offset(local)}"


def _in_unit(count: int, size: int) -> str:
    """`count` days, hours or minutes, each a literal for makemessages."""
    if size == DAY:
        return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    if size == HOUR:
        return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def duration(length: dt.timedelta | float | None) -> str:
    """A length of time in words, its two largest units: "less than a minute", "1 minute",
    "2 hours, 5 minutes", "3 days, 1 hour"."""
    if length is None:
        return "-"
    seconds = int(length.total_seconds() if isinstance(length, dt.timedelta) else length)
    seconds = max(seconds, 0)
    if seconds < 60:
        return gettext("less than a minute")
    parts = []
    for size in (DAY, HOUR, MINUTE):
        if parts and (len(parts) == 2 or seconds < size):
            break  # two units at most, and none after a gap ("1 day, 5 minutes")
        if seconds >= size:
            parts.append(_in_unit(seconds // size, size))
            seconds %= size
    return ", ".join(parts)


def ago(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago `moment` was, in words: "just now", "5 minutes ago", "in 2 hours" for a
    moment still ahead."""
    if moment is None:
        return "-"
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if abs(seconds) < 60:
        return gettext("just now")
    if seconds < 0:
        return gettext("in %(duration)s") % {"duration": duration(-seconds)}
    return gettext("%(duration)s ago") % {"duration": duration(seconds)}
