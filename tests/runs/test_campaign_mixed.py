"""One run over a campaign of every kind in two shops, vouchers included: each promotion
stopped once by its own calls, counts per kind, then the read-back (clean, then finding one
created meanwhile) and its one-click follow-up run."""

import pytest

from promotions.models import Promotion
from promotions.services.kinds import kind_named
from runs.models import EndRun, RunStatus
from runs.services.campaign import campaign_follow_up, campaign_read_back, campaign_run_create
from runs.services.create import run_counts
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.pages import finish_runs
from tests.runs.test_campaign_kinds import DAY, HOUR, NAMES, add, at_shopee, records
from tests.runs.test_campaign_kinds import user as user  # noqa: F401 (the fixture)
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

KINDS = ["voucher", *NAMES]


@pytest.fixture
def shops(sandbox):
    shops = [ShopTokenFactory().shop, ShopTokenFactory().shop]
    for shop in shops:
        VoucherFactory(shop=shop)
        VoucherFactory(shop=shop, upcoming=True)
    sandbox.mirror()
    for number, shop in enumerate(shops):
        base = 1000 * (number + 1)
        for offset, kind in enumerate(NAMES):
            add(sandbox, kind, shop, base + 10 * offset + 1, start=-2 * HOUR)
            add(sandbox, kind, shop, base + 10 * offset + 2, start=2 * HOUR)
        add(sandbox, "shop_flash_sale", shop, base + 99, start=-2 * HOUR, status=3)
    return shops


def everything(sandbox, shops):
    pairs = [("voucher", voucher) for voucher in Voucher.objects.filter(shop__in=shops)]
    for shop in shops:
        for kind in NAMES:
            records(sandbox, shop, kind)  # read: our copy of Shopee's lists
    pairs += [(promotion.kind, promotion) for promotion in Promotion.objects.filter(shop__in=shops)]
    return pairs


def rule(shops):
    return {"kinds": KINDS, "shops": [shop.pk for shop in shops], "window": [None, None]}


def test_a_campaign_of_every_kind_is_stopped_and_read_back_clean(sandbox, shops, user):  # noqa: F811
    run = campaign_run_create(
        user=user, items=everything(sandbox, shops), rule=rule(shops), selection="campaign"
    )
    assert run.is_campaign

    finish_runs(timeout=60)

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    counts = run_counts(run)
    assert counts["ended"] == 2 * 6 and counts["deleted"] == 2 * 6  # 5 kinds and vouchers
    assert counts["skipped"] == 2  # the flash sales Shopee rejected
    assert counts["failed"] == counts["refused"] == counts["pending"] == 0
    for kind in KINDS:
        assert counts["by_kind"][kind]["ended"] == counts["by_kind"][kind]["deleted"] == 2
    assert counts["by_kind"]["shop_flash_sale"]["skipped"] == 2
    # Each promotion's write reached Shopee once.
    writes = [call["path"] for call in sandbox.calls() if "/get" not in call["path"]]
    for kind in KINDS:
        plugin = kind_named(kind)
        assert writes.count(plugin.delete_call(1).path) == 2
        assert writes.count(plugin.end_call(1).path) == 2
    # Read back: nothing of the campaign is live at Shopee any more, shop by shop.
    assert [entry["shop"] for entry in run.read_report] == sorted(str(shop) for shop in shops)
    for entry in run.read_report:
        assert entry["ok"] and entry["read_back_at"]
        assert entry["still_live"] == [] and entry["still_live_count"] == 0
        assert set(entry["kinds"]) == set(KINDS)
    assert campaign_follow_up(run=run, user=user) is None


def test_the_read_back_finds_one_created_meanwhile_and_follows_it_up(sandbox, shops, user):  # noqa: F811
    run = campaign_run_create(
        user=user, items=everything(sandbox, shops), rule=rule(shops), selection="campaign"
    )
    finish_runs(timeout=60)
    # The seller creates a discount meanwhile, in the second shop.
    add(sandbox, "discount", shops[1], 9001, start=-3 * HOUR, end=DAY)

    found = campaign_read_back(run=EndRun.objects.get(pk=run.pk))

    assert [(live["kind"], live["id"], live["status"]) for live in found] == [
        ("discount", 9001, "ongoing")
    ]
    run.refresh_from_db()
    report = {entry["shop"]: entry for entry in run.read_report}
    assert report[str(shops[1])]["still_live_count"] == 1
    assert report[str(shops[0])]["still_live"] == []

    follow_up = campaign_follow_up(run=run, user=user)
    finish_runs(timeout=60)

    item = follow_up.items.get(kind="discount", voucher_shopee_id=9001)
    assert item.state == "ended"
    assert at_shopee(sandbox, "discount", 9001)["end_time"] <= sandbox.control.now()
    follow_up.refresh_from_db()
    assert all(entry["still_live"] == [] for entry in follow_up.read_report)
