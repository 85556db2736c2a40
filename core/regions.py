"""Shopee regions and their time zones: staff think in their shop's local time.

A shop's region (as Shopee's get_shop_info gives it) decides its time zone, from the IANA
database (`zoneinfo`); a region we do not know falls back to the site's TIME_ZONE.
"""

import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext

from core.times import with_offset

REGION_TIME_ZONES = {
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "PH": "Asia/Manila",
    "TW": "Asia/Taipei",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "ID": "Asia/Jakarta",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "CO": "America/Bogota",
    "CL": "America/Santiago",
    "AR": "America/Argentina/Buenos_Aires",
    "CN": "Asia/Shanghai",
    "KR": "Asia/Seoul",
    "JP": "Asia/Tokyo",
    "IN": "Asia/Kolkata",
    "PL": "Europe/Warsaw",
    "ES": "Europe/Madrid",
    "FR": "Europe/Paris",
}


def region_zone(region: str) -> zoneinfo.ZoneInfo:
    """The time zone of a Shopee region (the site's TIME_ZONE for an unknown one)."""
    name = REGION_TIME_ZONES.get((region or "").upper())
    return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()


def region_time(moment, region: str) -> str:
    """`moment` in the region's local time with the zone's UTC offset: "2026-12-04 00:00 +07"
    (never an abbreviation: the Philippines' "PST" reads as the US Pacific's)."""
    return with_offset(moment, region_zone(region))


def zone_choices(regions) -> list[tuple[str, str]]:
    """Choices for entering a time in one of `regions`' time zones (distinct, sorted)."""
    choices = []
    for region in sorted({(region or "").upper() for region in regions} & REGION_TIME_ZONES.keys()):
        zone = REGION_TIME_ZONES[region]
        label = gettext("%(region)s time (%(zone)s)") % {"region": region, "zone": zone}
        choices.append((zone, label))
    return choices


def moments_by_region(moment, regions) -> list[tuple[str, str]]:
    """(region, local time) of one moment in each of `regions`, for saying "when" everywhere."""
    return [(region, region_time(moment, region)) for region in sorted(set(regions))]
