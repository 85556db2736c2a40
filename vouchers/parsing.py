"""The one rule for whole numbers that come from outside: query strings, forms, CSV cells and
Shopee's answers.

A number is written with the ASCII digits 0-9 only: ``str.isdigit()`` also accepts characters
such as ``²`` or Arabic-Indic digits that ``int()`` refuses or reads differently, so it is never
used on outside input. Surrounding white space is allowed (spreadsheets and forms add it); a
sign, a decimal point, an exponent or digit grouping is not. Values must fit the database's
64-bit integers. A refusal raises :class:`NumberError`, whose text is fit to show the user.
"""

import re

INT64_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SHOWN_CHARS = 40


class NumberError(ValueError):
    """The value is not a whole number in range; the text says so in plain words."""


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


def is_id(value) -> bool:
    """Whether `value` would pass :func:`parse_id`."""
    try:
        parse_id(value)
    except NumberError:
        return False
    return True


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
