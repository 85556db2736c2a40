"""`{{ moment|shop_time:shop }}`: a moment in the shop's local time (see core.regions)."""

from django import template

from core.regions import region_time

register = template.Library()


@register.filter
def shop_time(moment, shop):
    return region_time(moment, getattr(shop, "region", "") or "")
