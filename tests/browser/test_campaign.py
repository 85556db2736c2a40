"""Stop a campaign in a real browser, with a real background worker: two shops, every kind.

From the shop list, both shops and "Stop a campaign in these shops", every kind, read Shopee's
lists (the worker reads them), see per shop and kind what will be ended, deleted or switched off,
confirm, watch the run finish, and find that the read-back left nothing of the campaign live
at Shopee. The preview and the finished run are README's screenshots (docs/screenshots/
campaign.png, campaign_run.png).
"""

import pytest
from playwright.sync_api import expect

from runs.models import EndRun
from tests.browser.helpers import log_in, open_from_navigation, screenshot
from tests.factories import MERCHANDISER_PERMISSIONS, ShopFactory, ShopTokenFactory, UserFactory

pytestmark = pytest.mark.browser

HOUR, DAY = 3600, 86400
KINDS = ["voucher", "discount", "bundle_deal", "add_on_deal", "follow_prize", "shop_flash_sale"]
ID_FIELDS = {
    "discount": "discount_id",
    "bundle_deal": "bundle_deal_id",
    "add_on_deal": "add_on_deal_id",
    "follow_prize": "campaign_id",
    "shop_flash_sale": "flash_sale_id",
}
NAME_FIELDS = {
    "discount": "discount_name",
    "bundle_deal": "name",
    "add_on_deal": "add_on_deal_name",
    "follow_prize": "follow_prize_name",
}
PERMISSIONS = [
    *MERCHANDISER_PERMISSIONS,
    "runs.view_endrun",
    "vouchers.delete_voucher",
    *(f"promotions.{action}_{kind}" for kind in KINDS[1:] for action in ("end", "delete")),
]


@pytest.fixture
def campaigner(db):
    return UserFactory(username="merch", permissions=PERMISSIONS)


@pytest.fixture
def shops(sandbox):
    """Two connected shops (Thailand, Singapore), each with a Christmas campaign of every kind
    at Shopee: ongoing ones (ended; the flash sale switched off) and upcoming ones (deleted)."""
    made = [
        ShopTokenFactory(shop=ShopFactory(name="Acme Thailand", shop_id=7_800_001, region="TH")),
        ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7_800_002, region="SG")),
    ]
    sandbox.mirror()
    now = sandbox.control.now()
    ongoing = {"start_time": now - 2 * HOUR, "end_time": now + 3 * DAY}
    upcoming = {"start_time": now + DAY, "end_time": now + 4 * DAY}
    for n, token in enumerate(made):
        shop_id, base = token.shop.shop_id, 880_000 + 100 * n
        for offset, times in ((0, ongoing), (1, upcoming)):
            sandbox.control.add_voucher(
                shop_id=shop_id,
                voucher_id=base + offset,
                voucher_code=f"XMAS{base + offset}",
                voucher_name="XMAS voucher",
                **times,
            )
        promotions = [
            ("discount", 10, ongoing),
            ("discount", 11, upcoming),
            ("bundle_deal", 20, ongoing),
            ("add_on_deal", 30, upcoming),
            ("follow_prize", 40, ongoing),
            ("shop_flash_sale", 50, {"start_time": now - 600, "end_time": now + HOUR}),
        ]
        for kind, offset, times in promotions:
            label = kind.replace("_", " ").replace("add on", "add-on")
            named = {NAME_FIELDS[kind]: f"XMAS {label}"} if kind in NAME_FIELDS else {}
            sandbox.control.add_promotion(
                kind, shop_id=shop_id, **{ID_FIELDS[kind]: base + offset}, **named, **times
            )
    return [token.shop for token in made]


def live_at_shopee(sandbox) -> list:
    """What is still live at Shopee: ongoing or upcoming, and a flash sale still enabled."""
    state = sandbox.control.state()
    now = state["now"]
    live = [("voucher", v["voucher_id"]) for v in state["vouchers"] if now < v["end_time"]]
    for kind, records in state["promotions"].items():
        for record in records:
            if now < record["end_time"] and record.get("status", 1) == 1:
                live.append((kind, record[ID_FIELDS[kind]]))
    return live


def test_stop_a_campaign_of_two_shops_with_every_kind(page, sandbox, worker, campaigner, shops):
    assert len(live_at_shopee(sandbox)) == 16
    log_in(page, "merch")

    # The shop list: both shops selected, "Stop a campaign in these shops".
    open_from_navigation(page, "Shops")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    for row in range(2):
        rows.nth(row).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Stop a campaign in these shops")
    page.get_by_role("button", name="Run").click()

    # The campaign's form, with those shops: every kind (no terms: a flash sale has no name of
    # its own, so a name filter would leave it out).
    expect(page.locator("#content h1")).to_have_text("Stop a campaign")
    chosen = page.locator("select[name=shops] option:checked")
    expect(chosen).to_have_count(2)
    for kind in KINDS:
        page.locator(f"input[name=kinds][value={kind}]").check()
    page.locator("#campaign-read").click()

    # The worker reads Shopee's lists; the page refreshes itself and becomes the preview.
    expect(page.locator("#content h1")).to_have_text("Stop this campaign?", timeout=30_000)
    summary = page.locator("#campaign-summary")
    expect(summary).to_contain_text("16 promotions will be stopped")
    expect(summary).to_contain_text("8 ended, 6 deleted, 2 switched off")
    expect(page.locator("#campaign-warning")).to_contain_text("Stopping cannot be undone")
    per_kind = page.locator("#campaign-per-kind tbody tr")
    expect(per_kind).to_have_count(len(KINDS))
    for shop in shops:
        expect(page.locator(f"#campaign-shop-{shop.pk}")).to_contain_text(
            "4 ended, 3 deleted, 1 switched off, 0 skipped"
        )
    page.locator(f"#campaign-shop-{shops[0].pk} summary").click()  # open Thailand's details
    expect(page.locator(f"#campaign-shop-{shops[0].pk}")).to_contain_text("Will be switched off")
    screenshot(page, "campaign.png")
    assert len(live_at_shopee(sandbox)) == 16  # reading changed nothing

    # Confirm: one run over all of it; its page follows it to the end.
    page.locator("#confirm-campaign").click()
    page.wait_for_url("**/admin/runs/endrun/*/change/")
    expect(page.locator("#run-status")).to_contain_text("Status: Finished", timeout=60_000)
    expect(page.locator("#run-summary")).to_contain_text("16 of 16 done (100%)")
    expect(page.locator("#run-failures")).to_have_count(0)
    run = EndRun.objects.get()
    assert run.is_campaign

    # The read-back (done before the run says it finished): each shop's lists read again,
    # nothing of the campaign still live, and Shopee agrees.
    expect(page.locator("#campaign-clean")).to_contain_text(
        "nothing of the campaign is still live at Shopee"
    )
    expect(page.locator("#campaign-follow-up")).to_have_count(0)
    screenshot(page, "campaign_run.png")
    report = EndRun.objects.get(pk=run.pk).read_report
    assert len(report) == 2
    assert all(entry.get("read_back_at") for entry in report), report
    assert [entry.get("still_live") for entry in report] == [[], []], report
    assert live_at_shopee(sandbox) == []
