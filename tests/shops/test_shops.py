"""Shop pages: adding a shop with pasted tokens, which are never shown back; syncing vouchers."""

import pytest
from django.urls import reverse

from audit.models import ShopeeCall
from shops.models import Shop, ShopToken
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.jobs.follow import follow_job, job_outcome
from tests.pages import text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:shops_shop_changelist")


def test_add_a_shop_with_pasted_tokens(merch_client, merchandiser, admin_client):
    token = "a1" * 16
    response = admin_client.post(
        reverse("admin:shops_shop_add"),
        {
            "name": "Acme SG",
            "shop_id": "9007199254740993",  # beyond 2**53: a 64-bit id survives intact
            "region": "SG",
            "access_token": token,
            "refresh_token": "b2" * 16,
            "access_token_expires_at_0": "",
            "access_token_expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    shop = Shop.objects.get(shop_id=9007199254740993)
    stored = ShopToken.objects.get(shop=shop)
    assert stored.access_token == token
    assert stored.access_token_expires_at is not None

    page = admin_client.get(reverse("admin:shops_shop_change", args=[shop.pk]))
    assert token not in page.content.decode()
    assert "b2" * 16 not in page.content.decode()
    assert "Valid until" in text_of(page)
    assert token not in admin_client.get(CHANGELIST).content.decode()


def test_saving_without_new_tokens_keeps_the_old_ones(admin_client):
    stored = ShopTokenFactory()
    shop = stored.shop
    admin_client.post(
        reverse("admin:shops_shop_change", args=[shop.pk]),
        {
            "name": "Renamed",
            "shop_id": shop.shop_id,
            "region": "MY",
            "access_token": "",
            "refresh_token": "",
            "access_token_expires_at_0": "",
            "access_token_expires_at_1": "",
        },
    )
    stored.refresh_from_db()
    shop.refresh_from_db()
    assert shop.name == "Renamed"
    assert ShopToken.objects.get(shop=shop).access_token == stored.access_token


def test_a_bad_shop_id_gets_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:shops_shop_add"), {"name": "X", "shop_id": "abc", "region": "SG"}
    )
    assert response.status_code == 200
    assert "Enter a whole number" in text_of(response)


def test_sync_action_reports_per_shop(merch_client, sandbox):
    connected = ShopTokenFactory().shop
    VoucherFactory(shop=connected)
    VoucherFactory(shop=connected, expired=True)
    unconnected = ShopFactory(name="Lonely")
    sandbox.mirror()
    Voucher.objects.all().delete()

    answer = merch_client.post(
        CHANGELIST,
        {"action": "sync_vouchers", "_selected_action": [connected.pk, unconnected.pk], "index": 0},
    )
    assert not Voucher.objects.exists()  # the action only starts a job and shows its page
    response = follow_job(merch_client, answer)
    texts = job_outcome(response)
    assert any("2 new and 0 updated vouchers" in text for text in texts)
    assert any("Lonely" in text and "no access token" in text for text in texts)
    assert Voucher.objects.filter(shop=connected).count() == 2
    assert ShopeeCall.objects.filter(actor_username="merch").count() == 1


def test_sync_with_shopee_unreachable_says_so(merch_client, sandbox, settings):
    shop = ShopTokenFactory().shop
    settings.SHOPEE_API_BASE_URL = "http://127.0.0.1:9"
    response = follow_job(
        merch_client,
        merch_client.post(
            CHANGELIST, {"action": "sync_vouchers", "_selected_action": [shop.pk], "index": 0}
        ),
    )
    assert any("sync failed" in text for text in job_outcome(response))
    # Retried with backoff like a run's calls, each attempt in the log.
    calls = ShopeeCall.objects.order_by("id")
    assert [call.attempt for call in calls] == list(range(1, settings.END_RUN_MAX_ATTEMPTS + 1))
    assert {call.outcome for call in calls} == {"failed"}
