"""Durations and "ago" in words with proper plurals (core.times), for templates:
`{{ start|duration_until:end }}` ("less than a minute", "1 hour, 5 minutes") and
`{{ moment|ago }}` ("just now", "5 minutes ago"). Django's `timesince` says "0 minutes"."""

from django import template

from core.times import ago as ago_in_words
from core.times import duration

register = template.Library()


@register.filter
def duration_until(start, end):
    if start is None or end is None:
        return ""
    return duration(end - start)


@register.filter
def ago(moment):
    return ago_in_words(moment)
