"""Keeping shop tokens alive: refresh before expiry, one refresher per shop at a time.

A refresh token works once. Two workers refreshing the same shop at once would each send it;
the second would be refused and the seller would have to authorize again. So a refresher first
takes a lease on the shop's token row: a conditional UPDATE, committed at once, that only one
worker can win, on SQLite and PostgreSQL alike, across threads, processes and machines. The call
to Shopee runs outside any transaction (its audit row is committed before it leaves); the new
pair is then saved, with the lease released, in one short transaction. Others wait for the lease
and use the pair it saved (they see `generation` change).
"""

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services.calls import shopee_call
from core.parsing import NumberError, parse_int
from shopee import api
from shopee.client import ShopAuth, ShopeeClient
from shopee.errors import (
    REAUTHORIZE,
    REFRESH,
    ShopeeError,
    ShopeeTransientError,
    consequence,
    refresh_impossible,
)
from shops.models import Shop, ShopToken
from shops.services.shops import (
    REFRESH_TOKEN_LIFETIME,
    ShopNeedsReauthorization,
    ShopNotConnected,
    ShopUnavailable,
    shop_mark_needs_reauth,
)

REFRESH_MARGIN = dt.timedelta(minutes=10)
LEASE_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ShopCredentials:
    auth: ShopAuth
    generation: int


def shop_credentials(
    *, shop: Shop, client: ShopeeClient, actor=None, actor_label: str = ""
) -> ShopCredentials:
    """The shop's current access token, refreshed first when it expires within the margin.

    Raises ShopNotConnected, ShopNeedsReauthorization, or the ShopeeError of a failed refresh.
    """
    token = ShopToken.objects.select_related("shop").filter(shop=shop).first()
    return _credentials(shop, token, client=client, actor=actor, actor_label=actor_label)


def shops_credentials(
    *, shops: list[Shop], client: ShopeeClient, actor=None, actor_label: str = ""
) -> dict:
    """`shop_credentials()` of several shops, their tokens read in one query: {shop pk: its
    ShopCredentials, or the ShopUnavailable or ShopeeError that `shop_credentials()` raises}."""
    tokens = {
        token.shop_id: token
        for token in ShopToken.objects.select_related("shop").filter(shop__in=shops)
    }
    found = {}
    for shop in shops:
        try:
            found[shop.pk] = _credentials(
                shop, tokens.get(shop.pk), client=client, actor=actor, actor_label=actor_label
            )
        except (ShopUnavailable, ShopeeError) as error:
            found[shop.pk] = error
    return found


def _credentials(shop, token, *, client, actor, actor_label) -> ShopCredentials:
    if token is not None and token.shop.needs_reauth:
        raise ShopNeedsReauthorization(token.shop)
    if token is None or not token.access_token:
        raise ShopNotConnected(shop)
    expires = token.access_token_expires_at
    if expires is not None and expires - timezone.now() < REFRESH_MARGIN:
        token = shop_token_refresh(
            shop=shop,
            client=client,
            seen_generation=token.generation,
            actor=actor,
            actor_label=actor_label,
        )
    return ShopCredentials(ShopAuth(shop.shop_id, token.access_token), token.generation)


def shop_token_refresh(
    *, shop: Shop, client: ShopeeClient, seen_generation: int, actor=None, actor_label: str = ""
) -> ShopToken:
    """Replace the token pair numbered `seen_generation` with a fresh one from Shopee.

    Returns the current pair: ours, or the one another worker saved meanwhile. When Shopee
    refuses the refresh for good (refresh token used or expired, shop unlinked or banned,
    authorization ended) the shop is marked as needing re-authorization and the error raised.
    """
    owner = uuid.uuid4().hex
    lease = dt.timedelta(seconds=2 * client.config.timeout_seconds + 30)
    token = _lease_take(shop, seen_generation, owner, lease)
    if token.generation != seen_generation:
        return token
    if not token.refresh_token:
        _lease_release(token, owner)
        shop_mark_needs_reauth(shop=shop, reason="no refresh token is stored")
        raise ShopNeedsReauthorization(shop)
    try:
        answer = shopee_call(
            client=client,
            api=api.access_token_get(
                refresh_token=token.refresh_token,
                partner_id=client.config.partner_id,
                shop_id=shop.shop_id,
            ),
            shop=shop,
            actor=actor,
            actor_label=actor_label or "token refresh",
        )
        body = answer.body
        if not body.get("access_token") or not body.get("refresh_token"):
            raise ShopeeTransientError(
                "Shopee's refresh answer had no tokens.", request_id=answer.request_id
            )
    except ShopeeError as error:
        _lease_release(token, owner)
        if refresh_impossible(error):
            shop_mark_needs_reauth(shop=shop, reason=f"token refresh refused: {error.message}")
        raise
    return _save_refreshed(token, owner, body)


def shop_auth_failed(
    *,
    shop: Shop,
    error: ShopeeError,
    generation: int,
    client: ShopeeClient,
    actor=None,
    actor_label: str = "",
) -> Exception | None:
    """Shopee refused a call signed with the shop's token pair number `generation`: the one
    place that acts on it. A rejected token is refreshed (or the pair another worker saved
    meanwhile is taken): returns None, the call may be sent again at once. A shop whose
    authorization is over is flagged as needing re-authorization. Otherwise returns the error
    that makes the shop unavailable (Shopee's, or the failed refresh's)."""
    what = consequence(error)
    if what == REAUTHORIZE:
        shop_mark_needs_reauth(shop=shop, reason=f"{error.error}: {error.message}")
    if what != REFRESH:
        return error
    try:
        token = shop_token_refresh(
            shop=shop,
            client=client,
            seen_generation=generation,
            actor=actor,
            actor_label=actor_label,
        )
    except (ShopUnavailable, ShopeeError) as refresh_error:
        return refresh_error
    return None if token.generation != generation else error


def shop_tokens_reencrypt() -> int:
    """Re-encrypt every stored token with the first key; returns how many rows were written."""
    count = 0
    for pk in ShopToken.objects.values_list("pk", flat=True):
        with transaction.atomic():
            token = ShopToken.objects.select_for_update().get(pk=pk)
            token.save(update_fields=["access_token", "refresh_token"])
        count += 1
    return count


def _lease_take(shop, seen_generation, owner, lease) -> ShopToken:
    """Win the refresh lease for pair `seen_generation`, or return the newer pair that
    another worker saved while we waited."""
    deadline = time.monotonic() + lease.total_seconds() + 5
    while True:
        token = ShopToken.objects.select_related("shop").get(shop=shop)
        if token.generation != seen_generation:
            return token
        if token.shop.needs_reauth:
            raise ShopNeedsReauthorization(token.shop)
        now = timezone.now()
        won = (
            ShopToken.objects.filter(pk=token.pk, generation=seen_generation)
            .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
            .update(refresh_lease_owner=owner, refresh_lease_until=now + lease)
        )
        if won:
            return token
        if time.monotonic() > deadline:
            raise ShopeeTransientError(
                f"Another worker is refreshing the token of shop {shop.shop_id} and has not "
                "finished; try again shortly."
            )
        time.sleep(LEASE_POLL_SECONDS)


def _lease_release(token, owner):
    ShopToken.objects.filter(pk=token.pk, refresh_lease_owner=owner).update(
        refresh_lease_owner="", refresh_lease_until=None
    )


def _save_refreshed(token, owner, body) -> ShopToken:
    now = timezone.now()
    try:
        expire_in = parse_int(body.get("expire_in") or 14400, label="expire_in", maximum=10**7)
    except NumberError:
        expire_in = 14400  # Shopee's access tokens live 4 hours

    with transaction.atomic():
        row = ShopToken.objects.select_for_update().get(pk=token.pk)
        row.access_token = body["access_token"]
        row.refresh_token = body["refresh_token"]
        row.access_token_expires_at = now + dt.timedelta(seconds=expire_in)
        row.refresh_token_expires_at = now + REFRESH_TOKEN_LIFETIME
        row.generation = F("generation") + 1
        row.refreshed_at = now
        row.refresh_lease_owner = ""
        row.refresh_lease_until = None
        row.save()
    row.refresh_from_db()
    return row
