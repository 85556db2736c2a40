"""The merchandiser's critical path on a phone (390×844): sign in, open the voucher list, select
ongoing vouchers, "End selected vouchers", confirm, watch the run finish and read its outcome.

Every control the path needs is reachable and tappable: once scrolled to, it lies inside the
viewport (not off-canvas to the right) and is the element a finger at its centre would touch.
The confirmation and progress pages never scroll sideways. The `page` fixture fails the test on
any Content-Security-Policy violation.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from vouchers.models.voucher import VoucherPurpose

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
END = "/api/v2/voucher/end_voucher"
SHOP_NAME = "Acme Official Flagship Store Philippines with a rather long name"
TO_END = ["MEGASALE-PH-2026-000", "MEGASALE-PH-2026-001", "MEGASALE-PH-2026-003"]
GAME = "MEGASALE-PH-2026-002"  # a shop-game voucher, left alone
# Shopee refuses the first end it is asked for, so the outcome has a refusal to read.
REFUSAL = {
    "path": END,
    "kind": "shopee_error",
    "error": "voucher.operate_voucher_permission_error",
    "message": "No permission to operate this voucher.",
    "times": 1,
}


@pytest.fixture
def shop_with_vouchers(sandbox, db):
    """A shop with long-named ongoing vouchers (one Shopee refuses to end), mirrored at Shopee."""
    shop = ShopTokenFactory(shop=ShopFactory(name=SHOP_NAME, shop_id=7_500_100, region="PH")).shop
    for k in range(5):
        code = f"MEGASALE-PH-2026-{k:03d}"
        VoucherFactory(
            shop=shop,
            voucher_code=code,
            voucher_name=f"Twelve-twelve mega sale {k}: 15% off everything above 500 for new "
            "followers, while stocks last",
            voucher_purpose=VoucherPurpose.SHOP_GAME if code == GAME else VoucherPurpose.NORMAL,
        )
    VoucherFactory(shop=shop, upcoming=True, voucher_code="SOON-PH-LONGCODE-2027")
    sandbox.mirror()
    sandbox.control.set_faults([REFUSAL])
    UserFactory(username="merch", permissions=MERCHANDISER_PERMISSIONS)
    return shop


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def assert_tappable(page, locator):
    """The control, scrolled into view, lies inside the phone's viewport and is what a tap at its
    centre reaches (nothing covers it)."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5, box
    hit = locator.evaluate(
        """(element) => {
            const box = element.getBoundingClientRect();
            const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return top !== null && (element === top || element.contains(top)
                                    || (element.labels && [...element.labels].includes(top)));
        }"""
    )
    assert hit, f"something covers {locator}"


def tap(page, locator):
    assert_tappable(page, locator)
    locator.click()


# The elements that stick out to the right of the viewport (the innermost few), to say why.
STICKING_OUT = """() => [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right
                                                  > window.innerWidth + 0.5))
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join(".")}`
                 + ` right=${Math.round(el.getBoundingClientRect().right)}`)"""


def assert_fits(page):
    """The page does not scroll sideways."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert not scrolls_sideways(page), (widths, page.evaluate(STICKING_OUT))


def test_the_critical_path_on_a_phone(page, sandbox, shop_with_vouchers, worker):
    page.set_viewport_size(PHONE)
    log_in(page, "merch")

    # The voucher list, from the admin's home.
    tap(page, page.locator("#content-main").get_by_role("link", name="Vouchers", exact=True))
    page.wait_for_url("**/admin/vouchers/voucher/")
    expect(page.locator(".paginator")).to_contain_text("6 vouchers")

    # Only the ongoing ones: the filter sits below the list on a phone.
    filters = page.locator("#changelist-filter")
    ongoing = filters.get_by_role("link", name="Ongoing", exact=True)
    if not ongoing.is_visible():  # a collapsed filter group opens with a tap on its title
        tap(page, filters.locator("summary", has_text="status").first)
    tap(page, ongoing)
    expect(page.locator(".paginator")).to_contain_text("5 vouchers")
    rows = page.locator("#result_list tbody tr")
    for code in TO_END:
        tap(page, rows.filter(has_text=code).locator("input.action-select"))
    action = page.locator("select[name=action]")
    assert_tappable(page, action)
    action.select_option(label="End selected vouchers")
    expect(page.locator(".action-counter")).to_have_text("3 of 5 selected")
    tap(page, page.get_by_role("button", name="Run"))

    # The confirmation page: what will be ended, then the button, all within the phone's width.
    expect(page.locator("#content h1")).to_have_text("End vouchers on Shopee?")
    expect(page.locator("#end-summary")).to_have_text("3 vouchers will be ended on Shopee.")
    for part in ("#end-summary", "#end-warning", "#end-per-shop"):
        expect(page.locator(part)).to_be_visible()
    expect(page.locator("#end-endable tbody tr")).to_have_count(3)
    assert_fits(page)
    tap(page, page.get_by_role("button", name="Yes, end 3 vouchers"))

    # The run's page refreshes itself until the run is over, then gives the outcome.
    page.wait_for_url("**/admin/runs/endrun/*/change/")
    assert_fits(page)
    expect(page.locator("#run-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#run-summary")).to_have_text(
        "3 of 3 done (100%): 2 ended, 0 skipped, 1 refused by Shopee, 0 failed, 0 pending."
    )
    for part in ("#run-status", "#run-summary", "#run-shops", "#run-failures"):
        expect(page.locator(part)).to_be_visible()
    expect(page.locator("#run-failures")).to_contain_text("No permission to operate")
    assert_fits(page)
    assert_tappable(page, page.get_by_role("link", name="Calls to Shopee for this run"))

    ended = {call["body"]["voucher_id"] for call in sandbox.calls(END)}
    assert len(ended) == 3  # two ended, one refused: each asked once
