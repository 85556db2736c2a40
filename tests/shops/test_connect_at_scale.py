"""Connecting a main account of 200 shops while Shopee takes a second to answer: the callback
answers at once, and the job's page then shows the shops filling in as a real worker goes."""

import time

import pytest
from django.urls import reverse

from jobs.models import ShopJob
from shops.models import Shop, ShopToken
from tests.shops.test_connect_main_account import seller_authorizes
from tests.worker import start_worker, stop_worker, wait_for
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db(transaction=True)

MAIN_ACCOUNT_ID = 3_300_200
SHOP_IDS = [7_720_000_000 + n for n in range(200)]


@pytest.fixture
def big_main_account(sandbox):
    now = sandbox.control.now()
    sandbox.seed(
        shops=[
            {"shop_id": shop_id, "name": f"Acme {n:03}", "region": "SG"}
            for n, shop_id in enumerate(SHOP_IDS)
        ],
        vouchers=[
            {
                "shop_id": shop_id,
                "voucher_id": shop_id * 10,
                "start_time": now - 60,
                "end_time": now + 3600,
            }
            for shop_id in SHOP_IDS
        ],
        main_accounts=[
            {"main_account_id": MAIN_ACCOUNT_ID, "name": "Acme big", "shop_ids": SHOP_IDS}
        ],
    )


def test_200_shops_at_one_second_a_call_answer_at_once_then_fill_in(
    merch_client, sandbox, big_main_account, settings, tmp_path
):
    settings.SHOPEE_TIMEOUT_SECONDS = "10"
    callback = seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    sandbox.control.set_faults([{"path": "/api/v2/*", "kind": "latency", "latency_ms": 1000}])

    started = time.monotonic()
    answer = merch_client.get(callback)
    took = time.monotonic() - started

    assert answer.status_code == 302
    print(f"callback_s={took:.3f}")
    assert took < 2.0, f"the callback took {took:.2f} s"
    job = ShopJob.objects.get()
    assert answer["Location"] == reverse("admin:jobs_shopjob_change", args=[job.pk])
    assert ShopToken.objects.count() == 200 and not Voucher.objects.exists()
    page = merch_client.get(answer["Location"])
    assert "Tokens stored for 200 shops" in page.content.decode()
    assert 'http-equiv="refresh"' in page.content.decode()

    progress_url = reverse("admin:jobs_shopjob_progress", args=[job.pk])
    seen = []

    def some_but_not_all_done():
        figures = merch_client.get(progress_url).json()
        seen.append(figures)
        return 0 < figures["done"] < 200

    worker = start_worker(tmp_path / "worker.log")
    try:
        wait_for(some_but_not_all_done, 60, "the first shops to be done")
        filling = seen[-1]
        named = [shop for shop in filling["shops"] if shop["name"].startswith("Acme ")]
        assert filling["active"] and filling["messages"] == []
        assert len(named) >= filling["done"]
        done_row = next(shop for shop in filling["shops"] if shop["state"] == "done")
        assert done_row["words"] == "1 voucher synced (1 new, 0 updated)"
        page = merch_client.get(answer["Location"]).content.decode()
        assert f"{filling['done']} of 200 shops done" in page or "of 200 shops done" in page
        # The rest at full speed, so that the test does not wait minutes.
        sandbox.control.clear_faults()
        wait_for(lambda: not merch_client.get(progress_url).json()["active"], 120, "the job")
    finally:
        stop_worker(worker)

    done = merch_client.get(progress_url).json()
    assert (done["status"], done["done"], done["failed"]) == ("finished", 200, 0)
    [summary] = [m["text"] for m in done["messages"]]
    assert summary.startswith(
        f"Connected main account {MAIN_ACCOUNT_ID}: added 200 shops (Acme 000"
    )
    assert summary.endswith("; 200 vouchers synced.")
    assert Voucher.objects.count() == 200
    assert Shop.objects.filter(name__startswith="Acme ").count() == 200
    page = merch_client.get(answer["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "200 of 200 shops done" in page
