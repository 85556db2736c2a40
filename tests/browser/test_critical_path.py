"""The merchandiser's critical path in a real browser, with a real background worker.

Sign in, connect a shop at Shopee's authorization page, sync it, end some ongoing vouchers,
watch the run finish, then find one of its calls in the log and export it.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from runs.models import EndRun
from tests.browser.helpers import log_in, open_from_navigation, screenshot
from tests.conftest import PARTNER_ID, PARTNER_KEY
from tests.factories import MERCHANDISER_PERMISSIONS, UserFactory

pytestmark = pytest.mark.browser

SHOP_ID = 7_700_123_456
OTHER_SHOP_ID = 7_700_654_321
END = "/api/v2/voucher/end_voucher"
TO_END = ["FLASH2", "FLASH3", "FLASH5"]


@pytest.fixture
def seller_shop(sandbox):
    """Two shops at Shopee, neither in our database; one has ongoing and upcoming vouchers."""
    now = sandbox.control.now()
    ongoing = [
        {
            "shop_id": SHOP_ID,
            "voucher_id": 9_100_000_000 + n,
            "voucher_code": f"FLASH{n}",
            "voucher_name": f"Flash sale {n}",
            "start_time": now - 3600,
            "end_time": now + 7 * 86400,
        }
        for n in range(1, 7)
    ]
    upcoming = [
        {
            "shop_id": SHOP_ID,
            "voucher_id": 9_200_000_000 + n,
            "voucher_code": f"LATER{n}",
            "voucher_name": f"Next month {n}",
            "start_time": now + 86400,
            "end_time": now + 30 * 86400,
        }
        for n in range(1, 4)
    ]
    sandbox.seed(
        shops=[
            {"shop_id": SHOP_ID, "name": "Acme Vietnam", "region": "VN"},
            {"shop_id": OTHER_SHOP_ID, "name": "Acme Thailand", "region": "TH"},
        ],
        vouchers=ongoing + upcoming,
    )
    return {voucher["voucher_code"]: voucher["voucher_id"] for voucher in ongoing + upcoming}


@pytest.fixture
def merchandiser(db):
    return UserFactory(username="merch", permissions=[*MERCHANDISER_PERMISSIONS, "shops.add_shop"])


def messages(page):
    return page.locator("ul.messagelist")


def connect_the_shop(page, sandbox):
    open_from_navigation(page, "Shops")
    expect(page.locator("#content h1")).to_have_text("Select shop to change")
    page.get_by_role("link", name="Connect a Shopee shop").click()

    # Shopee's authorization page, where the seller picks one of the partner's shops.
    page.wait_for_url(lambda url: url.startswith(f"{sandbox.base_url}/api/v2/shop/auth_partner?"))
    expect(page).to_have_title(f"Shopee sandbox: authorize partner {PARTNER_ID}")
    expect(page.get_by_role("button", name="Authorize")).to_have_count(2)
    page.locator("li", has_text="Acme Vietnam").get_by_role("button", name="Authorize").click()

    # Back on our side at once: the job's page, until the worker has fetched the shop's details
    # and vouchers; then the shop's page, connected and synced.
    page.wait_for_url("**/admin/jobs/shopjob/*/change/")
    expect(page.locator("#job-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#job-outcome")).to_have_text(
        f"Connected Acme Vietnam ({SHOP_ID}): tokens stored, 9 vouchers synced."
    )
    page.get_by_role("link", name="The shop's page →").click()
    page.wait_for_url("**/admin/shops/shop/*/change/")
    expect(page.locator(".field-connection")).to_contain_text("Connected")
    expect(page.locator(".field-token_status")).to_contain_text("Valid until")


def sync_the_shop(page):
    page.locator(".breadcrumbs").get_by_role("link", name="Shops").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)  # only the shop that was authorized
    expect(rows).to_contain_text(["Acme Vietnam"])
    rows.first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Sync vouchers from Shopee")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/admin/jobs/shopjob/*/change/")
    expect(page.locator("#job-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#job-outcome")).to_have_text(
        f"Acme Vietnam ({SHOP_ID}): 0 new and 9 updated vouchers (1 page)."
    )
    page.get_by_role("link", name="The shop list →").click()
    expect(rows.first.locator(".field-connection")).to_have_text("Connected")
    screenshot(page, "shops.png")


def ask_to_end_some_ongoing_vouchers(page):
    open_from_navigation(page, "Vouchers")
    expect(page.locator(".paginator")).to_contain_text("9 vouchers")
    page.locator("#changelist-filter").get_by_role("link", name="Ongoing", exact=True).click()
    expect(page.locator(".paginator")).to_contain_text("6 vouchers")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.locator(".field-status_label")).to_have_text(["Ongoing"] * 6)
    for code in TO_END:
        page.locator("#result_list tbody tr", has_text=code).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="End selected vouchers")
    expect(page.locator(".action-counter")).to_have_text("3 of 6 selected")
    screenshot(page, "vouchers.png")
    page.get_by_role("button", name="Run").click()


def confirm(page):
    expect(page.locator("#content h1")).to_have_text("End vouchers on Shopee?")
    expect(page.locator("#end-summary")).to_have_text("3 vouchers will be ended on Shopee.")
    expect(page.locator("#end-warning")).to_contain_text("Ending cannot be undone")
    row = page.locator("#end-per-shop tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Acme Vietnam {SHOP_ID} 3 0", use_inner_text=True)
    expect(row.locator(".end-synced")).to_contain_text(re.compile(r"just now|minutes? ago"))
    expect(page.locator("#end-fresh-read")).to_contain_text("Before anything is sent")
    endable = page.locator("#end-endable tbody tr")
    expect(endable).to_have_count(3)
    for code in TO_END:
        expect(endable.filter(has_text=code)).to_have_count(1)
    screenshot(page, "confirmation.png")
    page.get_by_role("button", name="Yes, end 3 vouchers").click()


def watch_the_run_finish(page):
    page.wait_for_url("**/admin/runs/endrun/*/change/")
    expect(messages(page)).to_contain_text(
        "3 vouchers to check at Shopee and end, 0 skipped. It has started: it first reads the "
        "shops' current vouchers from Shopee; this page shows its progress."
    )
    # The worker ends them; the page reloads itself every 3 seconds until the run is over.
    expect(page.locator("#run-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#run-summary")).to_have_text(
        "3 of 3 done (100%): 3 ended, 0 skipped, 0 refused by Shopee, 0 failed, 0 pending."
    )
    expect(page.locator("#run-shops tbody tr")).to_have_text(
        [f"Acme Vietnam ({SHOP_ID}) 3 0 0 0 0 0 0"], use_inner_text=True
    )
    expect(page.locator("#run-status")).not_to_contain_text("refreshes itself")
    expect(page.locator("#run-failures")).to_have_count(0)
    screenshot(page, "run_progress.png")


def find_a_call_in_the_log(page, sandbox, voucher_id):
    page.get_by_role("link", name="Calls to Shopee for this run").click()
    rows = page.locator("#result_list tbody tr")
    # Newest first: the three ends, after the run read the shop's two lists from Shopee.
    expect(rows).to_have_count(5)
    expect(rows.locator(".field-api")).to_have_text(
        ["POST voucher/end_voucher"] * 3 + ["GET voucher/get_voucher_list"] * 2
    )
    run = EndRun.objects.get()
    expect(page.locator("#changelist-filter")).to_contain_text(f"Run {run.pk}")
    expect(rows.locator(".field-outcome_label")).to_have_text(["Success"] * 5)
    screenshot(page, "call_log.png")

    (call,) = [call for call in sandbox.calls(END) if call["body"]["voucher_id"] == voucher_id]
    request_id = call["request_id"]
    assert request_id
    page.locator("#searchbar").fill(request_id)
    page.locator("#searchbar").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.locator(".field-request_label")).to_have_text(request_id)
    expect(rows.locator(".field-voucher_label")).to_have_text(f"FLASH2 ({voucher_id})")

    rows.first.locator("th a").click()
    expect(page.locator(".field-request_id .readonly")).to_have_text(request_id)
    expect(page.locator(".field-endpoint .readonly")).to_have_text(END)
    expect(page.locator(".field-outcome .readonly")).to_have_text("Success")
    expect(page.locator(".field-actor_username .readonly")).to_have_text("merch")
    request = page.locator(".field-request_pretty pre")
    expect(request).to_contain_text(str(voucher_id))
    expect(request).not_to_contain_text(PARTNER_KEY)
    screenshot(page, "call_detail.png")
    return request_id


def export_it(page, request_id, voucher_id):
    page.go_back()
    expect(page.locator("#searchbar")).to_have_value(request_id)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("shopee-calls-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as file:
        exported = list(csv.DictReader(io.StringIO(file.read())))
    assert [row["request_id"] for row in exported] == [request_id]
    (row,) = exported
    assert (row["voucher id"], row["voucher code"]) == (str(voucher_id), "FLASH2")
    assert (row["endpoint"], row["outcome"], row["actor"]) == (END, "success", "merch")


def test_a_merchandiser_connects_a_shop_and_ends_vouchers(
    page, sandbox, seller_shop, merchandiser, worker
):
    log_in(page, "merch")
    connect_the_shop(page, sandbox)
    sync_the_shop(page)
    ask_to_end_some_ongoing_vouchers(page)
    confirm(page)
    watch_the_run_finish(page)

    ended_at_shopee = {call["body"]["voucher_id"] for call in sandbox.calls(END)}
    assert ended_at_shopee == {seller_shop[code] for code in TO_END}

    request_id = find_a_call_in_the_log(page, sandbox, seller_shop["FLASH2"])
    export_it(page, request_id, seller_shop["FLASH2"])

    # What is left: three vouchers ended through shopadmin, by merch; three still ongoing.
    open_from_navigation(page, "Vouchers")
    page.locator("#changelist-filter").get_by_role("link", name="Ongoing", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.goto("/admin/vouchers/voucher/?ended=yes")
    rows = page.locator("#result_list tbody tr")
    expect(rows.locator(".field-voucher_code")).to_have_text(TO_END)
    expect(rows.locator(".field-status_label")).to_have_text(["Ended"] * 3)
