"""Times as staff read them: the zone's UTC offset (never an abbreviation), and durations and
"ago" in words with proper plurals."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core.regions import region_time
from core.times import ago, duration, utc_offset, with_offset

NOON_UTC = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Manila", "2026-12-07 14:00 +08"),
        ("Asia/Bangkok", "2026-12-07 13:00 +07"),
        ("Asia/Kolkata", "2026-12-07 11:30 +0530"),
        ("Asia/Kathmandu", "2026-12-07 11:45 +0545"),
        ("America/Sao_Paulo", "2026-12-07 03:00 -03"),
        ("UTC", "2026-12-07 06:00 +00"),
    ],
)
def test_a_moment_is_shown_with_its_zones_utc_offset(zone, expected):
    assert with_offset(NOON_UTC, zoneinfo.ZoneInfo(zone)) == expected


def test_the_philippines_is_plus_eight_not_pst():
    assert region_time(NOON_UTC, "PH") == "2026-12-07 14:00 +08"
    assert "PST" not in region_time(NOON_UTC, "PH")
    assert utc_offset(NOON_UTC.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))) == "+07"


def test_no_moment_is_a_dash():
    assert with_offset(None) == "-"
    assert duration(None) == "-"
    assert ago(None) == "-"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (119, "1 minute"),
        (120, "2 minutes"),
        (3600, "1 hour"),
        (3660, "1 hour, 1 minute"),
        (7322, "2 hours, 2 minutes"),
        (86400, "1 day"),
        (90000, "1 day, 1 hour"),
        (86400 + 300, "1 day"),  # two units at most, none after a gap
        (2 * 86400 + 7200 + 60, "2 days, 2 hours"),
    ],
)
def test_durations_are_words_with_plurals(seconds, words):
    with translation.override("en"):
        assert duration(dt.timedelta(seconds=seconds)) == words
        assert duration(seconds) == words


def test_ago_in_words():
    with translation.override("en"):
        assert ago(NOON_UTC, NOON_UTC + dt.timedelta(seconds=20)) == "just now"
        assert ago(NOON_UTC, NOON_UTC + dt.timedelta(minutes=1)) == "1 minute ago"
        assert ago(NOON_UTC, NOON_UTC + dt.timedelta(hours=5)) == "5 hours ago"
        assert ago(NOON_UTC, NOON_UTC - dt.timedelta(days=2)) == "in 2 days"


def test_templates_say_a_short_job_took_less_than_a_minute_not_zero_minutes():
    template = Template(
        "{% load natural_time %}after {{ start|duration_until:end }}; synced {{ start|ago }}"
    )
    # "synced" is measured from the real clock: a moment 40 s ago, so the words never depend on
    # the hour the suite runs at ("5 hours, 30 minutes ago" holds "0 minutes" too).
    recent = timezone.now() - dt.timedelta(seconds=40)
    context = Context({"start": recent, "end": recent + dt.timedelta(seconds=40)})
    with translation.override("en"):
        text = template.render(context)
    assert text == "after less than a minute; synced just now"
    one_minute = Context({"start": NOON_UTC, "end": NOON_UTC + dt.timedelta(seconds=61)})
    with translation.override("en"):
        assert template.render(one_minute).startswith("after 1 minute;")
