"""Import CSV in a real browser: the CSRF check holds after the upload limit is in place, and
a file over the limit gets the size message, not a broken connection."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import MERCHANDISER_PERMISSIONS, ShopFactory, UserFactory, VoucherFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def merch(db):
    shop = ShopFactory(name="North", shop_id=7001)
    VoucherFactory(shop=shop, voucher_id=5_000_000_001, voucher_code="SALE1")
    return UserFactory(username="merch", permissions=MERCHANDISER_PERMISSIONS)


def choose_file(page, name, data: bytes):
    page.goto("/admin/vouchers/voucher/import/")
    page.locator("#import-form input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_file_is_checked_and_one_over_the_limit_is_refused(page, merch):
    log_in(page, "merch")
    choose_file(page, "end.csv", b"shop_id,voucher_id\n7001,5000000001\n")
    expect(page.locator("#end-summary")).to_contain_text("1 voucher will be ended on Shopee")

    choose_file(page, "big.csv", b"shop_id,voucher_id\n" + b"7" * (11 * 1024 * 1024))
    expect(page.locator("#import-form .errorlist")).to_contain_text(
        "The file is larger than 10 MB: split it into smaller files."
    )
