"""Which shops Shopee says we really hold: `get_shops_by_partner`, compared with ours.

Shopee's list is the truth about authorizations: a connected shop of ours that is missing from it
can no longer be acted on (the seller cancelled, or the authorization lapsed while we were not
told), so it is flagged as needing re-authorization with that reason; a listed shop's
authorization times are kept. Shops listed at Shopee that we have never connected are reported:
their tokens only come through Connect.

Which ids are authorized but not connected here is a partner-wide fact: it is reported only to
staff who see every shop (and to the scheduled check, which has no user). A team member learns
only about the shops they selected: other sellers' shop ids are what a takeover would need
(issue 16), so they never leave this function for them.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from audit.services.calls import shopee_call
from core.parsing import NumberError, parse_id, parse_unix_time
from shopee import api
from shopee.client import ShopeeClient
from shopee.errors import ShopeeTransientError
from shops.models import Shop
from shops.services.access import sees_all_shops
from shops.services.shops import shop_mark_needs_reauth

MAX_PAGES = 1000  # 100,000 shops
NOT_LISTED = (
    "Shopee no longer lists it among the shops authorized for our partner app "
    "(get_shops_by_partner)"
)


@dataclass
class AuthorizationCheck:
    listed: int = 0  # how many shops Shopee lists (pages show it only where partner-wide)
    confirmed: list = field(default_factory=list)
    lost: list = field(default_factory=list)  # shops of ours Shopee does not list
    flagged: list = field(default_factory=list)  # of those, the ones flagged just now
    not_connected: list = field(default_factory=list)  # shop ids listed but unknown here
    partner_wide: bool = True  # False: for a team member, `not_connected` is withheld


def shops_authorized_at_shopee(*, client: ShopeeClient, actor=None, actor_label="") -> dict:
    """{shop_id: {"auth_time", "expire_time", "region"}} from every page of Shopee's list."""
    listed = {}
    for page_no in range(1, MAX_PAGES + 1):
        answer = shopee_call(
            client=client,
            api=api.get_shops_by_partner(page_no=page_no),
            actor=actor,
            actor_label=actor_label,
        )
        payload = answer.response if isinstance(answer.response, dict) else answer.body
        for entry in payload.get("authed_shop_list") or []:
            try:
                listed[parse_id(entry.get("shop_id"))] = entry
                # A SIP primary shop's grant covers its affiliate shops (fewer API rights).
                for affiliate in entry.get("sip_affi_shop_list") or []:
                    affiliate_id = affiliate.get("affi_shop_id") or affiliate.get("shop_id")
                    listed.setdefault(parse_id(affiliate_id), entry)
            except (NumberError, AttributeError):
                raise ShopeeTransientError(
                    "Shopee's list of authorized shops has an entry without a valid shop_id.",
                    request_id=answer.request_id,
                ) from None
        if not payload.get("more"):
            return listed
    return listed


def shops_authorization_check(
    *, client: ShopeeClient, shops=None, actor=None, actor_label: str = ""
) -> AuthorizationCheck:
    """Compare `shops` (default: every connected shop) with Shopee's list and record the result.

    The list is read in full before anything is changed, so a failed page changes nothing.
    With an `actor` who does not see every shop, the ids not connected here are left out.
    """
    listed = shops_authorized_at_shopee(client=client, actor=actor, actor_label=actor_label)
    shops = Shop.objects.filter(token__isnull=False) if shops is None else shops
    report = AuthorizationCheck(listed=len(listed))
    now = timezone.now()
    ours = set()
    for shop in shops:
        ours.add(shop.shop_id)
        entry = listed.get(shop.shop_id)
        if entry is None:
            report.lost.append(shop)
            if not shop.needs_reauth:
                shop_mark_needs_reauth(shop=shop, reason=NOT_LISTED)
                report.flagged.append(shop)
            continue
        fields = {"authorization_checked_at": now}
        for name, key in (
            ("authorized_at", "auth_time"),
            ("authorization_expires_at", "expire_time"),
        ):
            when = _unix(entry.get(key))
            if when is not None:
                fields[name] = when
        Shop.objects.filter(pk=shop.pk).update(**fields)
        report.confirmed.append(shop)
        ends = fields.get("authorization_expires_at")
        if ends is not None and ends <= now:
            shop_mark_needs_reauth(shop=shop, reason="the seller's authorization has ended")
    if actor is not None and not sees_all_shops(actor):
        report.partner_wide = False
        return report
    known = set(Shop.objects.filter(shop_id__in=listed).values_list("shop_id", flat=True))
    report.not_connected = sorted(set(listed) - known - ours)
    return report


def _unix(value):
    try:
        return parse_unix_time(value)
    except NumberError:
        return None
