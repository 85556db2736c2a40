"""Shops and their stored tokens."""

import datetime as dt

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shops.models import Shop, ShopToken
from shops.services.access import sees_all_shops

ACCESS_TOKEN_LIFETIME = dt.timedelta(hours=4)
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=30)


class ShopUnavailable(Exception):
    """No call can be made for this shop until staff act."""

    def __init__(self, shop: Shop, message: str):
        super().__init__(message)
        self.shop = shop


class ShopChangeRefused(Exception):
    """A shop edit that would give someone a shop they have not authorized at Shopee."""


SHOP_ID_FIXED = _(
    "The Shopee shop id of a shop cannot be changed. To use another Shopee shop, connect it "
    "(Connect a Shopee shop or main account)."
)
ADD_BY_HAND_REFUSED = _(
    "Only staff who see every shop add a shop by hand. Connect it instead: the seller's "
    "authorization at Shopee gives it to your teams."
)
# What Django's admin history writes when a change form changed the id (it logs in English).
SHOP_ID_EDITED = f'"{Shop._meta.get_field("shop_id").verbose_name}"'
TEAMS_RESET = (
    "Teams reset on connecting: the shop's Shopee id had been edited, so only the teams of "
    "the user who completed Shopee's authorization keep it."
)


def shop_save(*, shop: Shop, user) -> Shop:
    """Save staff's edits of a shop (its name and region; the tokens go through
    `shop_tokens_set`).

    A shop's Shopee id never changes once it exists: the id is what ties the record (its teams,
    vouchers and history) to one shop at Shopee, and a changed id would hand that shop's tokens,
    when it is next connected, to the teams of the record's old shop. A new shop is added by
    hand (tokens pasted) only by `user`s who see every shop; a team member gains a shop only by
    Shopee's authorization of it (shops.services.connect). Raises ShopChangeRefused.
    """
    if shop.pk is None:
        if not sees_all_shops(user):
            raise ShopChangeRefused(str(ADD_BY_HAND_REFUSED))
        shop.save()
        return shop
    stored = Shop.objects.filter(pk=shop.pk).values_list("shop_id", flat=True).first()
    if stored != shop.shop_id:
        raise ShopChangeRefused(str(SHOP_ID_FIXED))
    shop.save()
    return shop


def shop_id_was_edited(shop: Shop) -> bool:
    """Whether the shop's Shopee id was changed on its change form (before ids were fixed) and
    its teams have not been reset since (`shop_teams_reset`): its teams then had another shop."""
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Shop), object_id=str(shop.pk)
    )
    edited = (
        history.filter(action_flag=CHANGE, change_message__contains=SHOP_ID_EDITED)
        .order_by("-action_time")
        .values_list("action_time", flat=True)
        .first()
    )
    if edited is None:
        return False
    return not history.filter(action_time__gte=edited, change_message=TEAMS_RESET).exists()


def shop_teams_reset(*, shop: Shop, actor) -> None:
    """Take the shop from every team, noted in its history (inside the caller's transaction)."""
    shop.teams.clear()
    if getattr(actor, "pk", None) is not None:
        LogEntry.objects.log_actions(actor.pk, [shop], CHANGE, TEAMS_RESET, single_object=True)


class ShopNotConnected(ShopUnavailable):
    def __init__(self, shop: Shop):
        super().__init__(
            shop,
            f"Shop {shop.name} ({shop.shop_id}) has no access token: connect it "
            "(Connect a Shopee shop) or paste its tokens on the shop's page.",
        )


class ShopNeedsReauthorization(ShopUnavailable):
    def __init__(self, shop: Shop):
        super().__init__(
            shop,
            f"Shop {shop.name} ({shop.shop_id}) needs re-authorization by the seller "
            f"({shop.needs_reauth_reason}). Reconnect it from the shop list.",
        )


@transaction.atomic
def shop_tokens_set(
    *,
    shop: Shop,
    access_token: str,
    refresh_token: str = "",
    access_token_expires_at=None,
    refresh_token_expires_at=None,
) -> ShopToken:
    """Store a new token pair for `shop` and clear any need for re-authorization."""
    now = timezone.now()
    token, created = ShopToken.objects.select_for_update().get_or_create(
        shop=shop, defaults={"access_token": access_token}
    )
    token.access_token = access_token
    token.access_token_expires_at = access_token_expires_at or now + ACCESS_TOKEN_LIFETIME
    if refresh_token:
        token.refresh_token = refresh_token
        token.refresh_token_expires_at = refresh_token_expires_at or now + REFRESH_TOKEN_LIFETIME
    if not created:
        token.generation = F("generation") + 1
    token.refresh_lease_owner = ""
    token.refresh_lease_until = None
    token.save()
    token.refresh_from_db()
    Shop.objects.filter(pk=shop.pk).update(needs_reauth_since=None, needs_reauth_reason="")
    shop.needs_reauth_since, shop.needs_reauth_reason = None, ""
    return token


@transaction.atomic
def shops_tokens_set(
    *, shops, access_token: str, refresh_token: str, access_token_expires_at=None
) -> None:
    """`shop_tokens_set` for many shops given one pair (a main account's grant), in a few
    queries whatever their number: connecting 200 shops must not cost thousands of round trips
    inside the web request. Each shop gets its own copy of the pair."""
    now = timezone.now()
    pks = [shop.pk for shop in shops]
    known = {
        token.shop_id: token
        for token in ShopToken.objects.select_for_update().filter(shop_id__in=pks)
    }
    pair = {
        "access_token": access_token,
        "access_token_expires_at": access_token_expires_at or now + ACCESS_TOKEN_LIFETIME,
        "refresh_token": refresh_token,
        "refresh_token_expires_at": now + REFRESH_TOKEN_LIFETIME,
        "refresh_lease_owner": "",
        "refresh_lease_until": None,
    }
    fresh = [ShopToken(shop=shop, **pair) for shop in shops if shop.pk not in known]
    for token in known.values():
        for name, value in pair.items():
            setattr(token, name, value)
        token.generation = F("generation") + 1
        token.updated_at = now
    ShopToken.objects.bulk_create(fresh, batch_size=500)
    ShopToken.objects.bulk_update(
        list(known.values()), [*pair, "generation", "updated_at"], batch_size=500
    )
    Shop.objects.filter(pk__in=pks).update(needs_reauth_since=None, needs_reauth_reason="")
    for shop in shops:
        shop.needs_reauth_since, shop.needs_reauth_reason = None, ""


def shop_mark_needs_reauth(*, shop: Shop, reason: str) -> None:
    """Flag `shop`: its vouchers are skipped and the shop list asks for reconnection."""
    now = timezone.now()
    Shop.objects.filter(pk=shop.pk, needs_reauth_since__isnull=True).update(
        needs_reauth_since=now, needs_reauth_reason=reason
    )
    shop.refresh_from_db(fields=["needs_reauth_since", "needs_reauth_reason"])
