"""The one rule for numbers, times and text that come from outside: query strings, forms, CSV
cells, settings and Shopee's answers.

A number is written with the ASCII digits 0-9 only: ``str.isdigit()`` also accepts characters
such as ``²`` or Arabic-Indic digits that ``int()`` refuses or reads differently, so it is never
used on outside input. Surrounding white space is allowed (spreadsheets and forms add it); a
sign, a decimal point, an exponent or digit grouping is not. Values must fit the database's
64-bit integers. Unix times (Shopee's) are such numbers within years 1970 to 9998; dates and
times typed or linked (filters, forms) are ISO 8601 in ASCII, within years 1900 to 9998, so that
no time-zone conversion of them can overflow. Text never carries a NUL character (PostgreSQL
refuses one). A refusal raises an :class:`InputError` (:class:`NumberError`,
:class:`DateError`, :class:`TextError`), whose text is fit to show the user.
"""

import datetime as dt
import re

from django.utils import dateparse, timezone

INT64_MAX = 2**63 - 1
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9998, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
UNIX_TIME_MAX = int(LATEST.timestamp())
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SHOWN_CHARS = 40


class InputError(ValueError):
    """A value from outside that is refused; the text says why in plain words."""


class NumberError(InputError):
    """The value is not a whole number in range; the text says so in plain words."""


class DateError(InputError):
    """The value is not a date or time in range."""


class TextError(InputError):
    """The text holds a character that cannot be stored (NUL)."""


def parse_int(value, *, label: str = "The value", minimum: int = 0, maximum: int = INT64_MAX):
    """`value` (a str of ASCII digits, or an int from JSON) as an int within [minimum, maximum].

    Raises NumberError naming `label` ("The shop id") and showing what was given.
    """
    if isinstance(value, bool):
        raise NumberError(f"{label} must be a whole number, got {_shown(value)}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise NumberError(f"{label} is missing.")
        if not _DIGITS.fullmatch(text):
            raise NumberError(
                f"{label} must be a whole number written with the digits 0-9, got {_shown(value)}."
            )
        if len(text) > len(str(maximum)) + 1:  # a cheap bound before int() on huge input
            raise NumberError(f"{label} is too large (at most {maximum}), got {_shown(value)}.")
        number = int(text)
    else:
        raise NumberError(f"{label} must be a whole number, got {_shown(value)}.")
    if number < minimum:
        raise NumberError(f"{label} must be at least {minimum}, got {number}.")
    if number > maximum:
        raise NumberError(f"{label} is too large (at most {maximum}), got {_shown(value)}.")
    return number


def parse_id(value, *, label: str = "The id") -> int:
    """A Shopee or database id: a whole number from 1 to 2**63 - 1."""
    return parse_int(value, label=label, minimum=1)


def is_digits(value: str) -> bool:
    """Whether `value` is written with the ASCII digits 0-9 only (white space around allowed),
    whatever its size: a number by this rule, though perhaps not one in range."""
    return bool(_DIGITS.fullmatch(value.strip()))


def is_id(value) -> bool:
    """Whether `value` would pass :func:`parse_id`."""
    try:
        parse_id(value)
    except NumberError:
        return False
    return True


def parse_unix_time(value, *, label: str = "The time") -> dt.datetime:
    """A Unix time in seconds (Shopee's timestamps: an int, or ASCII digits) as an aware UTC
    datetime, from 1970 to the end of 9998."""
    seconds = parse_int(value, label=label, maximum=UNIX_TIME_MAX)
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def parse_datetime(value, *, label: str = "The date") -> dt.datetime:
    """An ISO 8601 date (``2026-11-29``, midnight in the current time zone) or date and time
    (``2026-11-29 00:00:00+00:00``, naive ones in the current time zone) as an aware datetime
    between 1900 and the end of 9998."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        parsed = None
        if text.isascii() and len(text) <= 40:
            try:
                parsed = dateparse.parse_datetime(text)
                if parsed is None and (day := dateparse.parse_date(text)) is not None:
                    parsed = dt.datetime.combine(day, dt.time())
            except ValueError:
                parsed = None
        if parsed is None:
            raise DateError(
                f"{label} must be a date like 2026-11-29 or 2026-11-29 14:30, got {_shown(value)}."
            )
    else:
        raise DateError(
            f"{label} is missing." if value in (None, "") else f"{label} is not a date."
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        in_range = EARLIEST <= parsed <= LATEST
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise DateError(f"{label} must be between 1900 and 9998, got {_shown(value)}.")
    return parsed


def check_text(value: str, *, label: str = "The text") -> str:
    """`value` unchanged, or TextError when it holds a NUL character (no database stores it)."""
    if "\x00" in value:
        raise TextError(f"{label} contains a NUL character, which is not allowed.")
    return value


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
