"""Keeping tokens alive: refresh before expiry, one refresher per shop, re-authorization."""

import datetime as dt
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import ShopeeCall
from runs.services.create import SKIP_SHOP_REAUTH, run_plan
from shopee import api
from shopee.client import get_client
from shopee.errors import ShopeeAuthError
from shops.models import ShopToken
from shops.services.shop_api import shop_call
from shops.services.shops import ShopNeedsReauthorization, ShopNotConnected
from shops.services.tokens import shop_token_refresh, shops_credentials
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.worker import worker_env
from vouchers.models import Voucher

REFRESH = "/api/v2/auth/access_token/get"
LIST = "/api/v2/voucher/get_voucher_list"


def sandbox_token(sandbox, shop):
    return next(s for s in sandbox.control.state()["shops"] if s["shop_id"] == shop.shop_id)


@pytest.mark.django_db
def test_a_token_near_expiry_is_refreshed_before_the_call(sandbox):
    token = ShopTokenFactory(access_token_expires_at=timezone.now() + dt.timedelta(minutes=5))
    sandbox.mirror()
    old_access, old_refresh = token.access_token, token.refresh_token

    shop_call(client=get_client(), shop=token.shop, api=api.get_voucher_list(status="all"))

    assert [c["path"] for c in sandbox.calls()] == [REFRESH, LIST]
    token = ShopToken.objects.get(pk=token.pk)
    assert token.access_token != old_access and token.refresh_token != old_refresh
    assert token.generation == 2
    assert token.access_token_expires_at > timezone.now() + dt.timedelta(hours=3)
    at_shopee = sandbox_token(sandbox, token.shop)
    assert (at_shopee["access_token"], at_shopee["refresh_token"]) == (
        token.access_token,
        token.refresh_token,
    )
    refresh_row = ShopeeCall.objects.get(endpoint=REFRESH)
    assert refresh_row.outcome == "success"
    assert refresh_row.shop_shopee_id == token.shop.shop_id
    assert token.access_token not in str(refresh_row.response)
    assert refresh_row.response["access_token"] == "[redacted]"


@pytest.mark.django_db(transaction=True)
def test_threads_racing_to_refresh_one_shop_keep_one_token_chain(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    barrier = threading.Barrier(4)
    results, failures = [], []

    def refresh():
        try:
            barrier.wait()
            results.append(
                shop_token_refresh(shop=token.shop, client=get_client(), seen_generation=1)
            )
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not failures
    assert len(sandbox.calls(REFRESH)) == 1
    assert {r.access_token for r in results} == {ShopToken.objects.get().access_token}
    stored = ShopToken.objects.get()
    assert stored.generation == 2
    assert sandbox_token(sandbox, token.shop)["refresh_token"] == stored.refresh_token
    # The chain still works: the next refresh succeeds.
    shop_token_refresh(shop=token.shop, client=get_client(), seen_generation=2)
    assert ShopToken.objects.get().generation == 3


@pytest.mark.django_db
def test_an_expired_refresh_token_marks_the_shop_for_reauthorization(sandbox, monkeypatch):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    month = 31 * 24 * 3600
    sandbox.control.advance_clock(month)
    monkeypatch.setattr("shopee.client.wall_clock", lambda: time.time() + month)

    with pytest.raises(ShopeeAuthError):
        shop_call(client=get_client(), shop=voucher.shop, api=api.get_voucher_list(status="all"))

    voucher.shop.refresh_from_db()
    assert voucher.shop.needs_reauth
    assert "Invalid refresh_token." in voucher.shop.needs_reauth_reason
    with pytest.raises(ShopNeedsReauthorization):
        shop_call(client=get_client(), shop=voucher.shop, api=api.get_voucher_list(status="all"))
    plan = run_plan(vouchers=Voucher.objects.filter(pk=voucher.pk))
    assert plan.skipped_by_reason == {SKIP_SHOP_REAUTH: 1}


REFRESH_IN_ANOTHER_PROCESS = """
import os, sys, time
import django
django.setup()
from shops.models import Shop
from shops.services.tokens import shop_token_refresh
from shopee.client import get_client
shop = Shop.objects.get(shop_id=int(sys.argv[1]))
start_at = float(sys.argv[2])
while time.time() < start_at:
    time.sleep(0.002)
token = shop_token_refresh(shop=shop, client=get_client(), seen_generation=1)
print(token.generation)
"""


@pytest.mark.django_db(transaction=True)
def test_processes_racing_to_refresh_one_shop_keep_one_token_chain(sandbox, settings):
    token = ShopTokenFactory()
    sandbox.mirror()
    env = worker_env()
    start_at = str(time.time() + 2.0)
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", REFRESH_IN_ANOTHER_PROCESS, str(token.shop.shop_id), start_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    assert len(sandbox.calls(REFRESH)) == 1
    stored = ShopToken.objects.get()
    assert stored.generation == 2
    assert sandbox_token(sandbox, token.shop)["refresh_token"] == stored.refresh_token
    assert {out.strip() for out, _ in outputs} == {"2"}


@pytest.mark.django_db
def test_several_shops_credentials_are_read_together_each_with_its_own_word(
    sandbox, django_assert_max_num_queries
):
    fresh = ShopTokenFactory()
    expiring = ShopTokenFactory(access_token_expires_at=timezone.now() + dt.timedelta(minutes=5))
    reauth = ShopTokenFactory(shop__needs_reauth_since=timezone.now())
    unconnected = ShopFactory()
    sandbox.mirror()
    shops = [fresh.shop, expiring.shop, reauth.shop, unconnected]

    found = shops_credentials(shops=shops, client=get_client(), actor_label="test")

    assert found[fresh.shop.pk].auth.access_token == fresh.access_token
    refreshed = ShopToken.objects.get(pk=expiring.pk)
    assert refreshed.generation == 2
    assert found[expiring.shop.pk].auth.access_token == refreshed.access_token
    assert isinstance(found[reauth.shop.pk], ShopNeedsReauthorization)
    assert isinstance(found[unconnected.pk], ShopNotConnected)
    assert [c["path"] for c in sandbox.calls()] == [REFRESH]
    with django_assert_max_num_queries(1):  # no refresh due: one query for every shop's token
        shops_credentials(shops=[fresh.shop, reauth.shop, unconnected], client=get_client())
