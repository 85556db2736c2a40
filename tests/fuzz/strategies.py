"""Hypothesis strategies for what arrives from outside: ids, dates, text, query strings."""

import datetime as dt
import string

from hypothesis import strategies as st

INT64_MAX = 2**63 - 1

# Inputs that broke, or could break, a parser: Unicode digits that str.isdigit() accepts and
# int() refuses (²) or reads (٣, １), signs, spaces, exponents, underscores, the int64 edges,
# numbers past int()'s 4,300-digit limit, NUL and control characters.
TRICKY_NUMBERS = [
    "",
    " ",
    "0",
    "00",
    "1",
    "-1",
    "+1",
    " 7 ",
    "\t7\n",
    "1e3",
    "1.0",
    "1,000",
    "1_000",
    "0x10",
    "²",
    "1²",
    "³",
    "٣",
    "١٢٣",
    "１",
    "१२",
    "𝟙",
    "Ⅻ",
    "½",
    "NaN",
    "inf",
    str(INT64_MAX),
    str(INT64_MAX + 1),
    str(2**64),
    "9" * 30,
    "9" * 5000,
    "\x00",
    "1\x00",
    "1\n2",
]
TRICKY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "%",
    "%00",
    "'",
    '"',
    "\\",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "a" * 5000,
    "\ud7ff\ue000",
    "🙂",
    "=1+1",
    "../..",
    "0" * 64,
    "0123456789abcdef0123456789abcdef",
]
TRICKY_DATES = [
    "",
    "2026-11-29",
    "2026-11-29 00:00:00+00:00",
    "2026-11-29T14:30",
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "0001-01-01 00:00:00+14:00",
    "9999-12-31",
    "9999-12-31 23:59:59-14:00",
    "9999-12-31T23:59",
    "10000-01-01",
    "٢٠٢٦-١١-٢٩",
    "2026-11-29 25:00",
    "1970-01-01T00:00:00Z",
    "yesterday",
    "2026-11-29 00:00:00+99:00",
]

_unicode_digits = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6
)


def id_texts():
    """An id or a number as text, valid or not."""
    return st.one_of(
        st.sampled_from(TRICKY_NUMBERS),
        st.from_regex(r"\A[0-9]{1,20}\Z"),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        _unicode_digits,
        st.text(max_size=12),
    )


def date_texts():
    """A date or date-time as text, in the formats our links and forms use, and others."""
    offsets = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14))]) | st.builds(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)),
        st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
    )
    return st.one_of(
        st.sampled_from(TRICKY_DATES),
        st.dates().map(dt.date.isoformat),
        st.datetimes(timezones=offsets).map(str),
        st.datetimes().map(lambda value: value.strftime("%Y-%m-%dT%H:%M")),
        st.text(alphabet=string.digits + "-:T +Z", max_size=26),
        st.text(max_size=12),
    )


def any_texts(max_size=40):
    return st.one_of(st.sampled_from(TRICKY_TEXT), st.text(max_size=max_size))


def bool_texts():
    return st.sampled_from(["True", "False", "1", "0", "true", "yes", "no", "", "2", "²", "\x00"])


def value_for(name: str):
    """A value for query parameter `name`, shaped by what the name suggests."""
    if name.endswith(("__gte", "__lt", "__lte", "__gt")) or "date" in name:
        return date_texts() | id_texts()
    if name.endswith("__isnull"):
        return bool_texts()
    if name.endswith(("__exact", "__id", "_id")) or name in ("p", "id"):
        return id_texts() | any_texts(10)
    return st.one_of(any_texts(), id_texts(), date_texts())


def orderings():
    """`o=`: dot-separated column numbers, optionally negated, and junk."""
    column = st.builds(
        lambda minus, number: f"{'-' if minus else ''}{number}",
        st.booleans(),
        st.integers(min_value=-3, max_value=40) | id_texts(),
    )
    return st.lists(column, max_size=4).map(".".join) | any_texts(10)


def query_dicts(names):
    """A changelist query: some of the admin's real parameters (filters, o, p, q) and others."""
    names = sorted(set(names))
    fixed = {
        "o": orderings(),
        "p": id_texts(),
        "q": st.one_of(id_texts(), any_texts(), st.from_regex(r"\A[0-9a-f]{16,64}\Z")),
    }

    @st.composite
    def build(draw):
        query = {}
        for name in draw(st.lists(st.sampled_from(names + list(fixed)), max_size=5)):
            query[name] = draw(fixed[name] if name in fixed else value_for(name))
        if draw(st.integers(0, 9)) == 0:
            query[draw(st.text(min_size=1, max_size=20))] = draw(any_texts(10))
        return query

    return build()
