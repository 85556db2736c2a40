"""Connecting shops: Shopee's authorization link, and exchanging the code it returns.

The seller authorizes either one shop (the callback carries `shop_id`) or a main account (login
`name:main`; the callback carries `main_account_id`), which connects every shop under it with one
grant (shopee-api.md section 7).
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from audit.services.calls import shopee_call
from core.parsing import NumberError, parse_id, parse_int, parse_unix_time
from shopee import api
from shopee.client import ShopeeClient
from shopee.errors import ShopeeBusinessError, ShopeeTransientError
from shops.models import Shop
from shops.services.access import shops_join_teams
from shops.services.shop_api import shop_call
from shops.services.shops import (
    shop_id_was_edited,
    shop_mark_needs_reauth,
    shop_teams_reset,
    shop_tokens_set,
    shops_tokens_set,
)


def shop_authorization_url(*, client: ShopeeClient, redirect_url: str) -> str:
    """Shopee's signed authorization link (valid 5 minutes) that returns to `redirect_url`."""
    prepared = client.prepare(
        api.ApiCall("GET", api.AUTH_PARTNER, query={"redirect": redirect_url})
    )
    return f"{prepared.url}?{urlencode(prepared.params)}"


def shop_connect(*, client: ShopeeClient, code: str, shop_id: int, actor) -> Shop:
    """Exchange an authorization code for the shop's tokens; create or update the shop.

    The code is single-use and lives 10 minutes. The exchange is audited; the shop, its tokens
    and its teams are saved in one short transaction after Shopee answered. Completing Shopee's
    authorization proves access to the shop, so it joins `actor`'s teams (see `_shop_teams_set`).
    """
    existing = Shop.objects.filter(shop_id=shop_id).first()
    body = _exchange(
        client,
        api.token_get(code=code, partner_id=client.config.partner_id, shop_id=shop_id),
        actor=actor,
        shop=existing,
    )
    with transaction.atomic():
        shop, _ = Shop.objects.get_or_create(shop_id=shop_id, defaults={"name": f"Shop {shop_id}"})
        _store_tokens(shop, body)
        _shop_teams_set(shop, actor)
    return shop


@dataclass
class MainAccountConnection:
    """What connecting a main account did: the shops it added and those already known."""

    main_account_id: int
    added: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    merchant_ids: list = field(default_factory=list)

    @property
    def shops(self):
        return self.added + self.updated


def main_account_connect(
    *, client: ShopeeClient, code: str, main_account_id: int, actor
) -> MainAccountConnection:
    """Exchange a main account's code: every shop in Shopee's `shop_id_list` becomes connected.

    Shopee answers one token pair shared by all those shops; each shop stores its own copy, so
    each refreshes on its own (the shared refresh token works once per shop_id) under its own
    lease, and from its first refresh on holds an independent pair. Saved in one transaction;
    every shop joins `actor`'s teams, as in `shop_connect`.
    """
    body = _exchange(
        client,
        api.token_get(
            code=code, partner_id=client.config.partner_id, main_account_id=main_account_id
        ),
        actor=actor,
    )
    try:
        shop_ids = [parse_id(value, label="A shop id") for value in body.get("shop_id_list") or []]
        merchant_ids = [
            parse_id(value, label="A merchant id") for value in body.get("merchant_id_list") or []
        ]
    except NumberError as error:
        raise ShopeeTransientError(f"Shopee's answer is malformed: {error}") from None
    if not shop_ids:
        raise ShopeeBusinessError(
            f"Shopee lists no shop under main account {main_account_id}: nothing to connect."
        )
    connection = MainAccountConnection(main_account_id=main_account_id, merchant_ids=merchant_ids)
    wanted = sorted(set(shop_ids))
    # A few queries whatever the number of shops (a main account may hold hundreds): this
    # runs inside the connect callback, which must answer at once.
    with transaction.atomic():
        known = set(Shop.objects.filter(shop_id__in=wanted).values_list("shop_id", flat=True))
        Shop.objects.bulk_create(
            [Shop(shop_id=shop_id, name=f"Shop {shop_id}") for shop_id in wanted],
            ignore_conflicts=True,
            batch_size=500,
        )
        shops = list(Shop.objects.filter(shop_id__in=wanted).order_by("shop_id"))
        now = timezone.now()
        Shop.objects.filter(pk__in=[shop.pk for shop in shops]).update(
            main_account_id=main_account_id, authorized_at=now, authorization_expiry_notice_at=None
        )
        shops_tokens_set(
            shops=shops,
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            access_token_expires_at=now + dt.timedelta(seconds=_expire_in(body)),
        )
        for shop in shops:
            shop.main_account_id, shop.authorized_at = main_account_id, now
            shop.authorization_expiry_notice_at = None
            if shop.shop_id in known and shop_id_was_edited(shop):
                shop_teams_reset(shop=shop, actor=actor)
            (connection.updated if shop.shop_id in known else connection.added).append(shop)
        if actor is not None:
            shops_join_teams(shops=shops, user=actor)
    return connection


def _exchange(client, call, **audit) -> dict:
    answer = shopee_call(client=client, api=call, **audit)
    body = answer.body
    if not body.get("access_token") or not body.get("refresh_token"):
        raise ShopeeTransientError(
            "Shopee's answer to the code exchange had no tokens.", request_id=answer.request_id
        )
    return body


def _shop_teams_set(shop: Shop, actor) -> None:
    """The shop's teams once `actor` completed Shopee's authorization of it (in a transaction).

    The authorization proves `actor`'s access, so the shop joins their teams. Teams it already
    has stay: a shop's Shopee id never changes and only staff who see every shop add one by hand
    or give one to a team, so they were given by an administrator or by an earlier
    authorization. The exception is a record whose id was edited while that was still possible:
    its teams had another shop, never this one, so they are dropped (issue 16).
    """
    if shop_id_was_edited(shop):
        shop_teams_reset(shop=shop, actor=actor)
    if actor is not None:
        shops_join_teams(shops=[shop], user=actor)


def _store_tokens(shop: Shop, body: dict) -> None:
    """Save the exchanged pair for `shop` and note when it was authorized (inside a transaction)."""
    now = timezone.now()
    shop_tokens_set(
        shop=shop,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        access_token_expires_at=now + dt.timedelta(seconds=_expire_in(body)),
    )
    Shop.objects.filter(pk=shop.pk).update(authorized_at=now, authorization_expiry_notice_at=None)


def _expire_in(body: dict) -> int:
    """Seconds the exchanged access token lives (Shopee's `expire_in`, else 4 hours)."""
    try:
        return parse_int(body.get("expire_in") or 14400, label="expire_in", maximum=10**7)
    except NumberError:
        return 14400


def shop_info_update(
    *, shop: Shop, client: ShopeeClient, actor=None, actor_label: str = ""
) -> Shop:
    """Refresh the shop's name, region and authorization end from Shopee (get_shop_info).

    A banned shop, or one whose authorization has ended, is marked for re-authorization.
    """
    answer = shop_call(
        client=client,
        shop=shop,
        api=api.get_shop_info(),
        actor=actor,
        actor_label=actor_label,
    )
    return shop_info_save(shop=shop, body=answer.body)


def shop_info_save(*, shop: Shop, body: dict) -> Shop:
    """Keep what Shopee's get_shop_info answer (`body`) says of `shop`; flag it when banned or
    its authorization has ended."""
    fields = {}
    if body.get("shop_name"):
        fields["name"] = str(body["shop_name"])[:200]
    if body.get("region"):
        fields["region"] = str(body["region"])[:8]
    for name, key in (("authorization_expires_at", "expire_time"), ("authorized_at", "auth_time")):
        if body.get(key):
            try:
                fields[name] = parse_unix_time(body[key], label=key)
            except NumberError:
                pass
    if body.get("merchant_id"):
        try:
            fields["merchant_id"] = parse_id(body["merchant_id"])
        except NumberError:
            pass
    Shop.objects.filter(pk=shop.pk).update(**fields)
    shop.refresh_from_db()
    status = str(body.get("status") or "NORMAL").upper()
    if status != "NORMAL":
        shop_mark_needs_reauth(shop=shop, reason=f"Shopee reports the shop as {status}")
    elif shop.authorization_expires_at and shop.authorization_expires_at <= timezone.now():
        shop_mark_needs_reauth(shop=shop, reason="the seller's authorization has ended")
    return shop
