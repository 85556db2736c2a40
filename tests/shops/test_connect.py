"""Connecting a shop end to end: our link, the seller's authorization, the callback."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from jobs.models import ShopJob
from sandbox.auth_api import AUTHORIZE_PATH
from shops.models import Shop, ShopToken
from tests.factories import UserFactory
from tests.jobs.follow import finish_jobs, follow_job, job_outcome
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

SHOP_ID = 7_700_123_456
CONNECT = reverse("admin:shops_shop_connect")


@pytest.fixture
def seller_shop(sandbox):
    """A shop that exists at Shopee, with vouchers, but is not in our database yet."""
    now = sandbox.control.now()
    sandbox.seed(
        shops=[{"shop_id": SHOP_ID, "name": "Acme Vietnam", "region": "VN"}],
        vouchers=[
            {"shop_id": SHOP_ID, "voucher_id": n, "start_time": now - 60, "end_time": now + 600}
            for n in range(1, 6)
        ],
    )
    return SHOP_ID


def seller_authorizes(client, sandbox):
    """Click "Connect", then authorize at the sandbox as the seller; returns our callback URL."""
    start = client.get(CONNECT)
    assert start.status_code == 302
    link = urlsplit(start["Location"])
    assert f"{link.scheme}://{link.netloc}" == sandbox.base_url
    assert link.path == "/api/v2/shop/auth_partner"
    params = {key: values[0] for key, values in parse_qs(link.query).items()}
    assert {"partner_id", "timestamp", "sign", "redirect"} <= params.keys()
    page = requests.get(start["Location"], timeout=5)
    assert page.status_code == 200 and "Acme Vietnam" in page.text
    answer = requests.get(
        sandbox.base_url + AUTHORIZE_PATH,
        params={**params, "shop_id": SHOP_ID},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_connect_a_shop_end_to_end(merch_client, sandbox, seller_shop):
    callback = seller_authorizes(merch_client, sandbox)
    response = merch_client.get(callback)

    shop = Shop.objects.get(shop_id=SHOP_ID)
    job = ShopJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_shopjob_change", args=[job.pk])
    # The tokens are stored at once; the details and vouchers come from the job.
    assert ShopToken.objects.filter(shop=shop).exists()
    assert not Voucher.objects.exists()
    page = follow_job(merch_client, response)
    shop.refresh_from_db()
    assert (shop.name, shop.region) == ("Acme Vietnam", "VN")
    assert shop.authorization_expires_at is not None
    token = ShopToken.objects.get(shop=shop)
    at_shopee = sandbox.control.state()["shops"][0]
    assert token.access_token == at_shopee["access_token"]
    assert token.refresh_token == at_shopee["refresh_token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM vouchers_shoptoken")
        assert token.access_token not in cursor.fetchone()[0]
    assert Voucher.objects.filter(shop=shop).count() == 5
    exchange = ShopeeCall.objects.get(endpoint="/api/v2/auth/token/get")
    assert exchange.outcome == "success" and exchange.actor_username == "merch"
    assert exchange.request["body"]["code"] == "[redacted]"
    assert job_outcome(page) == [
        f"Connected Acme Vietnam ({SHOP_ID}): tokens stored, 5 vouchers synced."
    ]
    assert "Connected Acme Vietnam" in page.content.decode()
    assert token.access_token not in page.content.decode()


def test_a_replayed_callback_is_refused_and_changes_nothing(merch_client, sandbox, seller_shop):
    callback = seller_authorizes(merch_client, sandbox)
    merch_client.get(callback)
    finish_jobs()
    generation = ShopToken.objects.get().generation
    calls = ShopeeCall.objects.count()

    replay = merch_client.get(callback)

    assert replay.status_code == 400
    assert "already used" in replay.content.decode()
    assert ShopToken.objects.get().generation == generation
    assert ShopeeCall.objects.count() == calls


def test_a_forged_callback_is_refused(merch_client, sandbox, seller_shop):
    seller_authorizes(merch_client, sandbox)
    forged = merch_client.get(
        reverse("admin:shops_shop_connect_callback"),
        {"state": "guessed", "code": "a" * 32, "shop_id": SHOP_ID},
    )
    assert forged.status_code == 400
    assert not Shop.objects.exists()
    assert not ShopeeCall.objects.exists()


def test_another_users_callback_is_refused(client, merch_client, sandbox, seller_shop):
    callback = seller_authorizes(merch_client, sandbox)
    client.force_login(UserFactory(username="other", permissions=["shops.add_shop"]))
    assert client.get(callback).status_code == 400
    assert not Shop.objects.exists()


def test_an_old_attempt_is_refused(merch_client, sandbox, seller_shop):
    callback = seller_authorizes(merch_client, sandbox)
    session = merch_client.session
    session["shopee_connect"]["started"] -= 601
    session.save()
    response = merch_client.get(callback)
    assert response.status_code == 400
    assert "more than 10 minutes old" in response.content.decode()


def test_an_expired_code_shows_shopee_words(merch_client, sandbox, seller_shop, monkeypatch):
    callback = seller_authorizes(merch_client, sandbox)
    sandbox.control.advance_clock(11 * 60)
    # Our timestamps follow the sandbox clock, so that only the code is too old.
    monkeypatch.setattr("shopee.client.wall_clock", lambda: time.time() + 11 * 60)
    response = merch_client.get(callback)
    assert response.status_code == 400
    assert "Invalid code" in response.content.decode()
    assert not Shop.objects.exists()
    assert ShopeeCall.objects.get().error == "error_auth"


def test_staff_without_add_or_change_permission_cannot_connect(client, viewer):
    client.force_login(viewer)
    assert client.get(CONNECT).status_code == 403


def test_a_shop_needing_reauthorization_is_shown_with_a_reconnect_link(merch_client, db):
    Shop.objects.create(
        shop_id=1, name="Lapsed", needs_reauth_since=timezone.now(), needs_reauth_reason="why"
    )
    page = merch_client.get(reverse("admin:shops_shop_changelist")).content.decode()
    assert "Lapsed (1) needs re-authorization by the seller" in page
    assert f'href="{CONNECT}"' in page
