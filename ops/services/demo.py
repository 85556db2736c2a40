"""Demo data: the sandbox's seeded shops and a staff login, for the Quick start only."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.parsing import parse_unix_time
from shops.models import Shop
from shops.services.shops import shop_tokens_set
from vouchers.models import Voucher

TEAM_PERMISSIONS = [
    "view_shop",
    "add_shop",
    "change_shop",
    "view_voucher",
    "end_voucher",
    "delete_voucher",
    "view_shopeecall",
    "view_endrun",
]
DEMO_PERMISSIONS = [*TEAM_PERMISSIONS, "view_all_shops", "view_shopeepush"]
# The apps whose models the permissions above are about (codenames are unique across them).
DEMO_PERMISSION_APPS = ["shops", "vouchers", "audit", "runs"]
DEMO_TEAM = "Thailand team"
DEMO_TEAM_REGION = "TH"


@transaction.atomic
def demo_user_reset(*, username: str, team_only: bool = False) -> str:
    """Create or update a staff user who may end vouchers; return its new random password.

    With `team_only`, the user is a member of the demo's Thailand team (its shops only);
    otherwise it sees every shop."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = True
    user.save()
    codenames = TEAM_PERMISSIONS if team_only else DEMO_PERMISSIONS
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=DEMO_PERMISSION_APPS, codename__in=codenames
        )
    )
    if team_only:
        team, _ = Group.objects.get_or_create(name=DEMO_TEAM)
        team.shops.set(Shop.objects.filter(region=DEMO_TEAM_REGION))
        user.groups.add(team)
    return password


@transaction.atomic
def demo_shops_load(*, sandbox_state: dict) -> list[Shop]:
    """Mirror the sandbox's shops and their current tokens, as if staff had pasted them.

    The sandbox is seeded anew on every demo start, so the demo shops' old voucher records are
    dropped first (their audit rows stay, with their snapshots).
    """
    shops = []
    for record in sandbox_state["shops"]:
        shop, _ = Shop.objects.update_or_create(
            shop_id=record["shop_id"],
            defaults={"name": record["name"], "region": record.get("region", "")},
        )
        Voucher.objects.filter(shop=shop).delete()
        shop_tokens_set(
            shop=shop,
            access_token=record["access_token"],
            refresh_token=record["refresh_token"],
            access_token_expires_at=_from_unix(record.get("access_token_expires_at")),
            refresh_token_expires_at=_from_unix(record.get("refresh_token_expires_at")),
        )
        shops.append(shop)
    return shops


def _from_unix(value):
    return parse_unix_time(value, label="The sandbox's token expiry") if value else None
