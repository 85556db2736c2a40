"""README's screenshots, taken of the demo (`bin/screenshots` starts it and runs this).

    .venv/bin/python docs/screenshots/take.py APP_URL USERNAME PASSWORD

Drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) at a 1366×768 laptop
through the merchandiser's path on the demo's data: the shop list (one shop expiring soon), the
ongoing vouchers with three selected, the confirmation, the run's page once finished, its calls
in the log and one call; then the runs list (the demo's past run with a refusal and a failure
beside the new one), that past run's page and the dashboard, the admin's home. Full-page PNGs
into this folder.
"""

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
LAPTOP = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TO_END = 3


def shot(page, name):
    page.screenshot(path=HERE / name, full_page=True)
    print(f"docs/screenshots/{name}")


def take(page, username, password):
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto("/admin/shops/shop/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    shot(page, "shops.png")

    # Ongoing vouchers that shopadmin may end (normal purpose, not created by Shopee).
    page.goto("/admin/vouchers/voucher/?status=ongoing&is_admin__exact=0&voucher_purpose__exact=0")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    for n in range(TO_END):
        rows.nth(n).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="End selected vouchers")
    shot(page, "vouchers.png")
    page.get_by_role("button", name="Run").click()

    expect(page.locator("#end-summary")).to_be_visible()
    shot(page, "confirmation.png")
    page.locator("#confirm-end").click()

    page.wait_for_url("**/admin/runs/endrun/*/change/")
    expect(page.locator("#run-status")).to_contain_text("Finished", timeout=60_000)
    shot(page, "run_progress.png")

    page.get_by_role("link", name="Calls to Shopee for this run").click()
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    shot(page, "call_log.png")
    page.locator("#result_list tbody tr").first.locator("th a").click()
    expect(page.locator(".field-request_id")).to_be_visible()
    shot(page, "call_detail.png")

    page.goto("/admin/runs/endrun/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    shot(page, "runs.png")
    page.locator("#result_list tbody tr").last.locator("th a, td a").first.click()  # the demo's
    expect(page.locator("#run-failures")).to_be_visible()
    shot(page, "run_failures.png")

    page.goto("/admin/")
    expect(page.locator("svg#calls-chart")).to_be_visible()
    shot(page, "dashboard.png")


def main():
    app_url, username, password = sys.argv[1:4]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=app_url, viewport=LAPTOP)
        context.set_default_timeout(20_000)
        take(context.new_page(), username, password)
        browser.close()


if __name__ == "__main__":
    main()
