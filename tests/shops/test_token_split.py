"""A main account's shared first token pair, refreshed by 40 shops at once.

Shopee's shared refresh token works once per shop_id; each refresh answers that shop's own
pair. With several workers per shop racing, our per-shop lease must still send exactly one
refresh per shop, leaving exactly one valid token chain per shop.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from sandbox.testing import authorize_main_account
from shopee import api
from shopee.client import get_client
from shops.models import Shop, ShopToken
from shops.services.connect import main_account_connect
from shops.services.shop_api import shop_call
from shops.services.tokens import shop_token_refresh
from tests.conftest import PARTNER_ID, PARTNER_KEY
from tests.factories import UserFactory

REFRESH = "/api/v2/auth/access_token/get"
MAIN_ACCOUNT_ID = 5_500_001
SHOP_COUNT = 40
RACERS_PER_SHOP = 3


@pytest.fixture
def connected_main_account(sandbox):
    shop_ids = [8_800_000 + n for n in range(SHOP_COUNT)]
    sandbox.seed(
        shops=[{"shop_id": shop_id, "region": "SG"} for shop_id in shop_ids],
        main_accounts=[{"main_account_id": MAIN_ACCOUNT_ID, "shop_ids": shop_ids}],
    )
    grant = authorize_main_account(
        sandbox.base_url,
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        main_account_id=MAIN_ACCOUNT_ID,
    )
    main_account_connect(
        client=get_client(),
        code=grant["code"],
        main_account_id=MAIN_ACCOUNT_ID,
        actor=UserFactory(username="connector"),
    )
    sandbox.control.clear_calls()
    return shop_ids


@pytest.mark.django_db(transaction=True)
def test_forty_shops_refreshing_at_once_keep_one_chain_each(sandbox, connected_main_account):
    # One grant: every shop holds a copy of the same first pair (encrypted, so compared here).
    assert len({token.refresh_token for token in ShopToken.objects.all()}) == 1
    shops = list(Shop.objects.all())
    work = [shop for shop in shops for _ in range(RACERS_PER_SHOP)]
    random.Random(7).shuffle(work)
    client = get_client()

    def refresh(shop):
        try:
            return shop_token_refresh(shop=shop, client=client, seen_generation=1).generation
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        generations = list(pool.map(refresh, work))

    assert generations == [2] * len(work)
    refreshes = sandbox.calls(REFRESH)
    assert sorted(call["body"]["shop_id"] for call in refreshes) == sorted(connected_main_account)
    assert all(call["response"]["error"] == "" for call in refreshes)
    tokens = {token.shop.shop_id: token for token in ShopToken.objects.select_related("shop")}
    assert len({token.refresh_token for token in tokens.values()}) == SHOP_COUNT
    for shop_state in sandbox.control.state()["shops"]:
        token = tokens[shop_state["shop_id"]]
        assert (shop_state["access_token"], shop_state["refresh_token"]) == (
            token.access_token,
            token.refresh_token,
        )
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()
    # Each chain goes on: a second refresh and a shop API call work for every shop.
    for shop in shops:
        shop_token_refresh(shop=shop, client=client, seen_generation=2)
        shop_call(client=client, shop=shop, api=api.get_shop_info())
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()
