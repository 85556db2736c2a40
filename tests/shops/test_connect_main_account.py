"""Connecting a main account: one authorization connects every shop under it."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from jobs.models import ShopJob
from sandbox.auth_api import AUTHORIZE_PATH
from shopee.client import get_client
from shops.models import Shop, ShopToken
from shops.services.tokens import shop_token_refresh
from tests.factories import ShopTokenFactory
from tests.jobs.follow import finish_jobs, follow_job, job_outcome
from tests.pages import text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

MAIN_ACCOUNT_ID = 3_300_001
SHOPS = [
    (7_700_000_001, "Acme Vietnam", "VN"),
    (7_700_000_002, "Acme Thailand", "TH"),
    (7_700_000_003, "Acme Brasil", "BR"),
]
CONNECT = reverse("admin:shops_shop_connect")
CALLBACK = reverse("admin:shops_shop_connect_callback")
SHOP_LIST = reverse("admin:shops_shop_changelist")
TOKEN_GET = "/api/v2/auth/token/get"


@pytest.fixture
def main_account(sandbox):
    """A main account with three shops at Shopee (two vouchers each), none of them ours yet."""
    now = sandbox.control.now()
    sandbox.seed(
        shops=[
            {"shop_id": shop_id, "name": name, "region": region, "merchant_id": 9_000 + n}
            for n, (shop_id, name, region) in enumerate(SHOPS)
        ],
        vouchers=[
            {
                "shop_id": shop_id,
                "voucher_id": shop_id * 10 + n,
                "start_time": now - 60,
                "end_time": now + 3600,
            }
            for shop_id, _, _ in SHOPS
            for n in range(2)
        ],
        main_accounts=[
            {
                "main_account_id": MAIN_ACCOUNT_ID,
                "name": "Acme main",
                "shop_ids": [shop_id for shop_id, _, _ in SHOPS],
                "merchant_ids": [9_000, 9_001, 9_002],
            }
        ],
    )
    return MAIN_ACCOUNT_ID


def seller_authorizes(client, sandbox, **owner):
    """Click Connect, then authorize as the seller at the sandbox (`main_account_id=` or
    `shop_id=`); returns our callback's path and query."""
    start = client.get(CONNECT)
    params = {key: values[0] for key, values in parse_qs(urlsplit(start["Location"]).query).items()}
    page = requests.get(start["Location"], timeout=5)
    assert page.status_code == 200
    answer = requests.get(
        sandbox.base_url + AUTHORIZE_PATH,
        params={**params, **owner},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_the_authorization_page_offers_the_main_account(merch_client, sandbox, main_account):
    start = merch_client.get(CONNECT)
    page = requests.get(start["Location"], timeout=5).text
    assert "Acme main" in page and f'value="{MAIN_ACCOUNT_ID}"' in page


def test_connecting_a_main_account_connects_all_its_shops(merch_client, sandbox, main_account):
    callback = seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    assert f"main_account_id={MAIN_ACCOUNT_ID}" in callback

    answer = merch_client.get(callback)
    job = ShopJob.objects.get()
    assert answer["Location"] == reverse("admin:jobs_shopjob_change", args=[job.pk])
    assert Shop.objects.count() == 3 and not Voucher.objects.exists()

    response = follow_job(merch_client, answer)

    assert f'href="{SHOP_LIST}?main_account_id={MAIN_ACCOUNT_ID}"' in response.content.decode()
    shops = {shop.shop_id: shop for shop in Shop.objects.all()}
    assert set(shops) == {shop_id for shop_id, _, _ in SHOPS}
    for n, (shop_id, name, region) in enumerate(SHOPS):
        shop = shops[shop_id]
        assert (shop.name, shop.region, shop.main_account_id) == (name, region, MAIN_ACCOUNT_ID)
        assert shop.merchant_id == 9_000 + n
        assert shop.authorization_expires_at is not None and not shop.needs_reauth
        assert Voucher.objects.filter(shop=shop).count() == 2
    # One grant: every shop holds a copy of the same first pair.
    tokens = {(t.access_token, t.refresh_token) for t in ShopToken.objects.all()}
    assert len(tokens) == 1
    exchange = ShopeeCall.objects.get(endpoint=TOKEN_GET)
    assert exchange.request["body"]["main_account_id"] == MAIN_ACCOUNT_ID
    assert "shop_id" not in exchange.request["body"]
    assert exchange.response["access_token"] == "[redacted]"
    [summary] = [m for m in job_outcome(response) if m.startswith("Connected main account")]
    assert "added 3 shops (Acme Brasil" in summary and "6 vouchers synced" in summary
    text = text_of(response)
    assert all(name in text for _, name, _ in SHOPS)
    listing = text_of(merch_client.get(SHOP_LIST, {"main_account_id": MAIN_ACCOUNT_ID}))
    assert all(name in listing for _, name, _ in SHOPS)
    assert next(iter(tokens))[0] not in response.content.decode()


def test_after_the_first_refresh_each_shop_has_its_own_pair(merch_client, sandbox, main_account):
    merch_client.get(seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID))
    finish_jobs()
    shared = ShopToken.objects.first().refresh_token

    for token in ShopToken.objects.select_related("shop"):
        shop_token_refresh(shop=token.shop, client=get_client(), seen_generation=token.generation)

    pairs = [(t.access_token, t.refresh_token) for t in ShopToken.objects.all()]
    assert len(set(pairs)) == 3 and shared not in {refresh for _, refresh in pairs}
    for token in ShopToken.objects.select_related("shop"):
        at_shopee = sandbox.shop_state(token.shop.shop_id)
        assert (at_shopee["access_token"], at_shopee["refresh_token"]) == (
            token.access_token,
            token.refresh_token,
        )
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()


def test_reconnecting_through_the_main_account_mends_a_flagged_shop(
    merch_client, sandbox, main_account
):
    shop_id, name, _ = SHOPS[0]
    flagged = ShopTokenFactory(shop__shop_id=shop_id, shop__name="old name").shop
    Shop.objects.filter(pk=flagged.pk).update(
        needs_reauth_since=timezone.now(), needs_reauth_reason="cancelled"
    )

    response = follow_job(
        merch_client,
        merch_client.get(seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)),
    )

    flagged.refresh_from_db()
    assert not flagged.needs_reauth and flagged.name == name
    [summary] = [m for m in job_outcome(response) if m.startswith("Connected main account")]
    assert "added 2 shops" in summary and f"and reconnected 1 shop ({name}" in summary


def test_an_unknown_main_account_is_refused_in_shopee_words(merch_client, sandbox, main_account):
    callback = seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    forged = callback.replace(f"main_account_id={MAIN_ACCOUNT_ID}", "main_account_id=424242")

    response = merch_client.get(forged)

    assert response.status_code == 400
    assert "invalid_main_acount_id" in response.content.decode()
    assert not Shop.objects.exists() and not ShopToken.objects.exists()
    assert ShopeeCall.objects.get().error == "invalid_main_acount_id"


def test_a_reused_code_is_refused_and_changes_nothing(merch_client, sandbox, main_account):
    first = seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    merch_client.get(first)
    finish_jobs()
    tokens = list(ShopToken.objects.values_list("pk", "generation"))
    # A new attempt (fresh state) that comes back with the first, spent code.
    second = seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    spent = parse_qs(urlsplit(first).query)["code"][0]
    fresh = parse_qs(urlsplit(second).query)["code"][0]

    response = merch_client.get(second.replace(fresh, spent))

    assert response.status_code == 400
    assert "Invalid code" in response.content.decode()
    assert list(ShopToken.objects.values_list("pk", "generation")) == tokens


@pytest.mark.parametrize(
    "query, message",
    [
        ({"shop_id": "²"}, "The shop id in Shopee's answer must be a whole number"),
        ({"shop_id": "١٢٣"}, "The shop id in Shopee's answer must be a whole number"),
        ({"shop_id": str(2**63)}, "too large"),
        ({"main_account_id": "-5"}, "The main account id in Shopee's answer must be"),
        ({"shop_id": "1", "main_account_id": "2"}, "either a shop id or a main account id"),
        ({}, "either a shop id or a main account id"),
    ],
)
def test_a_malformed_callback_gets_a_clear_refusal(
    merch_client, sandbox, main_account, query, message
):
    start = merch_client.get(CONNECT)
    redirect = parse_qs(urlsplit(start["Location"]).query)["redirect"][0]
    state = parse_qs(urlsplit(redirect).query)["state"][0]

    response = merch_client.get(CALLBACK, {"state": state, "code": "a" * 32, **query})

    assert response.status_code == 400
    assert message in text_of(response)
    assert "Traceback" not in response.content.decode()
    assert not Shop.objects.exists() and not ShopeeCall.objects.exists()
