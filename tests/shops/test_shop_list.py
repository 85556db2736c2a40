"""The shop list fits a laptop: connection and access token as badges, the token's expiry in
the shop's time with its UTC offset, the last sync in words; the rest on the shop's page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ShopFactory, ShopTokenFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:shops_shop_changelist")


def cell(html, column, shop_name):
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if shop_name in r)
    return re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', row, re.S).group(1)


@pytest.fixture
def shops(db):
    now = timezone.now()
    valid = ShopTokenFactory(
        shop=ShopFactory(name="Acme Philippines Official Store", region="PH"),
        access_token_expires_at=dt.datetime(2030, 1, 1, 4, 0, tzinfo=dt.UTC),
    ).shop
    valid.vouchers_synced_at = now - dt.timedelta(minutes=1)
    valid.save()
    expired = ShopTokenFactory(
        shop=ShopFactory(name="Acme Thailand", region="TH"),
        access_token_expires_at=now - dt.timedelta(hours=1),
    ).shop
    reauth = ShopTokenFactory(shop=ShopFactory(name="Acme Vietnam", region="VN")).shop
    reauth.needs_reauth_since = now
    reauth.needs_reauth_reason = "the seller canceled the authorization"
    reauth.save()
    return {"valid": valid, "expired": expired, "reauth": reauth, "none": ShopFactory(name="Bare")}


def test_the_list_has_the_columns_staff_act_on(admin_client, shops):
    html = admin_client.get(LIST).content.decode()
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', html)
    assert headers == [
        "name_label",
        "shop_id",
        "region",
        "connection",
        "authorization",
        "token_status",
        "synced",
    ]


def test_token_validity_is_a_badge_with_the_shops_time(admin_client, shops):
    html = admin_client.get(LIST).content.decode()
    valid = cell(html, "token_status", "Acme Philippines")
    assert '<span class="badge badge-valid">Valid</span>' in valid
    assert "until 2030-01-01 12:00 +08" in valid  # Manila's time, never "PST"
    expired = cell(html, "token_status", "Acme Thailand")
    assert '<span class="badge badge-expired-token">Expired</span>' in expired
    assert "+07" in expired
    assert "badge-none" in cell(html, "token_status", "Bare")
    assert "badge-reauth" in cell(html, "connection", "Acme Vietnam")
    assert "the seller canceled the authorization" in cell(html, "connection", "Acme Vietnam")
    assert "PST" not in html


def test_the_last_sync_is_in_words_with_a_plural(admin_client, shops):
    html = admin_client.get(LIST).content.decode()
    assert ">1 minute ago<" in cell(html, "synced", "Acme Philippines")
    assert "never" in cell(html, "synced", "Bare")


def test_the_list_makes_the_same_queries_for_4_or_40_shops(admin_client, shops):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for n in range(36):
        ShopTokenFactory(shop=ShopFactory(name=f"More {n}"))
    assert queries() == few


def test_the_expiry_banner_gives_the_shops_time_with_its_offset(admin_client, db):
    shop = ShopTokenFactory(shop=ShopFactory(name="Acme Manila", region="PH")).shop
    shop.authorization_expires_at = timezone.now() + dt.timedelta(days=3)
    shop.save()
    html = admin_client.get(LIST).content.decode()
    banner = re.search(r'<ul class="messagelist" id="expiring-banner">(.*?)</ul>', html, re.S)
    local = shop.authorization_expires_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"({local:%Y-%m-%d %H:%M} +08)" in banner.group(1)
