"""Only users who may end vouchers are offered "End selected vouchers", in the list and on a
voucher's own page."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, open_from_navigation
from tests.factories import ShopFactory, UserFactory, VoucherFactory

pytestmark = pytest.mark.browser

VIEW_ONLY = [
    "shops.view_shop",
    "vouchers.view_voucher",
    "audit.view_shopeecall",
    "shops.view_all_shops",
]


@pytest.fixture
def voucher(db):
    return VoucherFactory(shop=ShopFactory(name="Acme Vietnam"), voucher_code="FLASH1")


def action_choices(page):
    return page.locator("select[name$=action] option").all_inner_texts()


@pytest.mark.parametrize(
    ("permissions", "may_end"),
    [(VIEW_ONLY, False), ([*VIEW_ONLY, "vouchers.end_voucher"], True)],
    ids=["view-only", "with-end_voucher"],
)
def test_only_users_who_may_end_vouchers_see_the_action(page, voucher, permissions, may_end):
    UserFactory(username="staff", permissions=permissions)
    log_in(page, "staff")

    open_from_navigation(page, "Vouchers")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("FLASH1")
    assert ("End selected vouchers" in action_choices(page)) is may_end
    expect(page.get_by_role("link", name="Import CSV to end vouchers")).to_have_count(int(may_end))

    row.get_by_role("link", name="FLASH1").click()
    expect(page.locator("#content h1")).to_have_text("View voucher")
    expect(page.locator("#content")).to_contain_text("Acme Vietnam")
    assert ("End selected vouchers" in action_choices(page)) is may_end
    expect(page.get_by_text("End selected vouchers")).to_have_count(int(may_end))
