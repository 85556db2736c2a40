"""The demo (`manage.py demo_setup`, what bin/demo runs) gives a new user something to look at:
a past run with a refusal and a failure, told in plain words, with the calls behind them in the
call log, and a shop whose authorization ends in a few days on the dashboard. Run twice, it
changes nothing more."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from ops.services.demo import DEMO_RUN_ID
from runs.models import EndRun
from sandbox.seeds import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, demo_document
from shops.models import Shop
from tests.pages import text_of

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def demo(sandbox, settings):
    settings.SHOPEE_PARTNER_ID = str(DEMO_PARTNER_ID)
    settings.SHOPEE_PARTNER_KEY = DEMO_PARTNER_KEY
    settings.SHOPEE_TIMEOUT_SECONDS = "10"
    sandbox.control.reset(demo_document(sandbox.control.now()))
    call_command("demo_setup", sandbox_url=sandbox.base_url, stdout=io.StringIO())
    return EndRun.objects.get(public_id=DEMO_RUN_ID)


@pytest.fixture
def merch(client, demo):
    client.force_login(get_user_model().objects.get(username="merch"))
    return client


def test_the_demo_has_a_past_run_with_a_refusal_and_a_failure(merch, demo):
    states = sorted(demo.items.values_list("state", flat=True))
    assert states == ["ended", "ended", "ended", "failed", "refused", "skipped"]
    assert demo.finished_at < timezone.now() - dt.timedelta(hours=12)

    page = text_of(merch.get(reverse("admin:runs_endrun_change", args=[demo.pk])))
    assert "Shopee refused: The Voucher created in Shopee admin" in page
    assert "Shopee's server failed; tried 8 times." in page
    assert "3 ended" in page and "1 refused by Shopee" in page and "1 failed" in page


def test_each_item_has_the_calls_a_run_would_have_made(demo):
    calls = ShopeeCall.objects.filter(batch_id=DEMO_RUN_ID)
    refused = demo.items.get(state="refused")
    failed = demo.items.get(state="failed")

    [refusal] = calls.filter(voucher_shopee_id=refused.voucher_shopee_id)
    assert (refusal.endpoint, refusal.outcome, refusal.error) == (
        END,
        "refused",
        "voucher.operate_voucher_permission_error",
    )
    assert refusal.request_id == refused.request_id and refusal.message == refused.reason
    tries = calls.filter(voucher_shopee_id=failed.voucher_shopee_id).order_by("attempt")
    assert (
        [row.attempt for row in tries] == list(range(1, 9)) == list(range(1, failed.attempts + 1))
    )
    assert {row.http_status for row in tries if row.endpoint == END} == {502}
    assert all(row.started_at <= demo.finished_at for row in calls)
    for item in demo.items.filter(state="ended"):
        assert calls.get(voucher_shopee_id=item.voucher_shopee_id).outcome == "success"
    # The call log links the run's calls: staff can follow them from the run's page.
    log = ShopeeCall.objects.filter(batch_id=DEMO_RUN_ID, shop__isnull=False)
    assert log.count() == calls.count()


def test_the_dashboard_shows_a_shop_whose_authorization_ends_soon(merch, demo):
    expiring = Shop.objects.get(shop_id=700004)
    left = expiring.authorization_expires_at - timezone.now()
    assert dt.timedelta(days=2) < left <= dt.timedelta(days=3)

    html = merch.get(reverse("admin:index")).content.decode()
    attention = re.search(r'(?s)<div class="dash-panel" id="dash-attention">.*?</div>', html)
    assert attention, "the dashboard has no shops needing attention"
    assert "Acme PH" in attention.group(0)
    assert "The seller's authorization ends in" in attention.group(0)


def test_the_demo_run_twice_adds_nothing(sandbox, demo):
    runs, items, calls = (
        EndRun.objects.count(),
        demo.items.count(),
        ShopeeCall.objects.filter(batch_id=DEMO_RUN_ID).count(),
    )
    call_command("demo_setup", sandbox_url=sandbox.base_url, stdout=io.StringIO())

    assert EndRun.objects.count() == runs
    assert EndRun.objects.get(public_id=DEMO_RUN_ID).items.count() == items
    assert ShopeeCall.objects.filter(batch_id=DEMO_RUN_ID).count() == calls
    assert Shop.objects.get(shop_id=700004).authorization_expires_at > timezone.now()


def test_the_demo_reads_every_kind_of_promotion_and_its_staff_may_stop_them(merch, demo):
    from promotions.models import Promotion, PromotionKindName

    kinds = set(Promotion.objects.values_list("kind", flat=True))
    assert kinds == set(PromotionKindName.values)
    user = get_user_model().objects.get(username="merch")
    for kind in PromotionKindName.values:
        assert user.has_perm(f"promotions.end_{kind}") and user.has_perm(
            f"promotions.delete_{kind}"
        )
    page = text_of(merch.get(reverse("admin:promotions_promotion_changelist")))
    newest = Promotion.objects.order_by("-start_time").first()
    assert newest.name in page
