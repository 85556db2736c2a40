"""A brand connects its main account once (three shops), then ends vouchers in two of them."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, open_from_navigation, screenshot
from tests.factories import MERCHANDISER_PERMISSIONS, UserFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.browser

MAIN_ACCOUNT_ID = 3_300_777
SHOPS = [
    (7_710_000_001, "Acme Singapore", "SG", "SG"),
    (7_710_000_002, "Acme Malaysia", "MY", "MY"),
    (7_710_000_003, "Acme Philippines", "PH", "PH"),
]
END = "/api/v2/voucher/end_voucher"
TO_END = ["SG1", "SG2", "MY1"]


@pytest.fixture
def brand(sandbox):
    """A main account with three shops at Shopee, each with two ongoing vouchers."""
    now = sandbox.control.now()
    vouchers = [
        {
            "shop_id": shop_id,
            "voucher_id": shop_id * 10 + n,
            "voucher_code": f"{prefix}{n}",
            "start_time": now - 3600,
            "end_time": now + 7 * 86400,
        }
        for shop_id, _, _, prefix in SHOPS
        for n in (1, 2)
    ]
    sandbox.seed(
        shops=[{"shop_id": i, "name": name, "region": region} for i, name, region, _ in SHOPS],
        vouchers=vouchers,
        main_accounts=[
            {
                "main_account_id": MAIN_ACCOUNT_ID,
                "name": "Acme Group",
                "shop_ids": [shop_id for shop_id, *_ in SHOPS],
            }
        ],
    )
    return {voucher["voucher_code"]: voucher["voucher_id"] for voucher in vouchers}


@pytest.fixture
def merchandiser(db):
    return UserFactory(username="merch", permissions=[*MERCHANDISER_PERMISSIONS, "shops.add_shop"])


def test_a_brand_connects_its_main_account_and_ends_vouchers_in_two_shops(
    page, sandbox, brand, merchandiser, worker
):
    log_in(page, "merch")
    open_from_navigation(page, "Shops")
    page.get_by_role("link", name="Connect a Shopee shop or main account").click()

    # At Shopee, the seller authorizes the main account: one click for all its shops.
    page.wait_for_url(lambda url: url.startswith(f"{sandbox.base_url}/api/v2/shop/auth_partner?"))
    page.locator("li", has_text="Acme Group").get_by_role("button").click()

    # Back from Shopee at once: the shops' details and vouchers come in the background, on the
    # job's page, which refreshes itself until the worker is done.
    page.wait_for_url("**/admin/jobs/shopjob/*/change/")
    expect(page.locator("ul.messagelist li.success").first).to_contain_text(
        "Tokens stored for 3 shops"
    )
    expect(page.locator("#job-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#job-outcome li.success")).to_contain_text(
        f"Connected main account {MAIN_ACCOUNT_ID}: added 3 shops"
    )
    expect(page.locator("#job-outcome li.success")).to_contain_text("6 vouchers synced")
    expect(page.locator("#job-shops-table tbody tr")).to_have_count(3)
    screenshot(page, "main_account_job.png")
    page.get_by_role("link", name=f"The shops of main account {MAIN_ACCOUNT_ID} →").click()
    page.wait_for_url(f"**/admin/shops/shop/?main_account_id={MAIN_ACCOUNT_ID}")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator(".field-connection")).to_have_text(["Connected"] * 3)
    screenshot(page, "main_account.png")

    open_from_navigation(page, "Vouchers")
    page.locator("#changelist-filter").get_by_role("link", name="Ongoing", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(6)
    for code in TO_END:
        page.locator("#result_list tbody tr", has_text=code).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="End selected vouchers")
    page.get_by_role("button", name="Run").click()

    expect(page.locator("#end-summary")).to_have_text("3 vouchers will be ended on Shopee.")
    expect(page.locator("#end-per-shop tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Yes, end 3 vouchers").click()

    page.wait_for_url("**/admin/runs/endrun/*/change/")
    expect(page.locator("#run-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#run-summary")).to_contain_text("3 ended")
    ended = {call["body"]["voucher_id"] for call in sandbox.calls(END)}
    assert ended == {brand[code] for code in TO_END}
    assert set(
        Voucher.objects.filter(ended_at__isnull=False).values_list("voucher_code", flat=True)
    ) == set(TO_END)
