"""Periodic upkeep of connected shops: refresh tokens nearing expiry, re-sync vouchers."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from notifications.services.notify import shop_alerts_send
from shopee.client import ShopeeClient, get_client
from shopee.errors import ShopeeError
from shops.models import Shop
from shops.services.authorizations import AuthorizationCheck, shops_authorization_check
from shops.services.push import LostPushReport, lost_pushes_apply
from shops.services.shops import ShopUnavailable
from shops.services.tokens import shop_token_refresh
from vouchers.services.sync import shops_vouchers_sync

ACTOR_LABEL = "maintenance"


@dataclass
class MaintenanceReport:
    refreshed: list = field(default_factory=list)
    synced: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (shop or None, message)
    lost_pushes: LostPushReport | None = None
    authorizations: AuthorizationCheck | None = None


def shops_maintain(
    *, refresh_within: dt.timedelta, sync: bool = True, client: ShopeeClient | None = None
) -> MaintenanceReport:
    """Apply the pushes Shopee could not deliver, compare our shops with Shopee's list of
    authorized shops, refresh every token that expires within `refresh_within` (or whose expiry
    is unknown), then, with `sync`, re-sync each connected shop's vouchers. Shops needing
    re-authorization are left alone; one step's or shop's failure does not stop the others."""
    client = client or get_client()
    report = MaintenanceReport()
    try:
        report.lost_pushes = lost_pushes_apply(client=client, actor_label=ACTOR_LABEL)
    except ShopeeError as error:
        report.failed.append((None, f"fetching lost pushes failed: {error}"))
    else:
        lost = report.lost_pushes
        if lost.malformed:
            report.failed.append(
                (None, f"{lost.malformed} lost push(es) could not be read; see the push log")
            )
        if lost.problem:
            report.failed.append((None, lost.problem))
    try:
        report.authorizations = shops_authorization_check(client=client, actor_label=ACTOR_LABEL)
    except ShopeeError as error:
        report.failed.append((None, f"checking authorizations failed: {error}"))
    deadline = timezone.now() + refresh_within
    shops = Shop.objects.filter(token__isnull=False, needs_reauth_since__isnull=True)
    due = shops.filter(
        Q(token__access_token_expires_at__lte=deadline)
        | Q(token__access_token_expires_at__isnull=True)
    ).select_related("token")
    for shop in due:
        try:
            shop_token_refresh(
                shop=shop,
                client=client,
                seen_generation=shop.token.generation,
                actor_label=ACTOR_LABEL,
            )
        except (ShopUnavailable, ShopeeError) as error:
            report.failed.append((shop, f"token refresh failed: {error}"))
        else:
            report.refreshed.append(shop)
    if sync:
        results = shops_vouchers_sync(
            shops=shops.filter(needs_reauth_since__isnull=True),
            client=client,
            actor_label=ACTOR_LABEL,
        )
        for result in results:
            if result.ok:
                report.synced.append(result.shop)
            else:
                report.failed.append((result.shop, f"voucher sync failed: {result.error}"))
    shop_alerts_send()
    return report
