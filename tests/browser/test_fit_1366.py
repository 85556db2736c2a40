"""The lists a merchandiser works in fit a 1366×768 laptop: no sideways scrolling of the page,
and the changelist's table fits its box, on the voucher, shop, run and call-log lists and the
dashboard, in English and in Thai, with demo-like data (long names, several shops, runs with
refusals and failures, calls with Shopee's error codes). The `page` fixture fails the test on
any Content-Security-Policy violation (the runs' bars and the badges use no inline style)."""

import datetime as dt
import secrets

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import ShopeeCall
from tests.browser.helpers import log_in
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.ops.test_dashboard import make_run
from vouchers.models.voucher import VoucherPurpose

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PAGES = {
    "vouchers": "/admin/vouchers/voucher/",
    "shops": "/admin/shops/shop/",
    "runs": "/admin/runs/endrun/",
    "calls": "/admin/audit/shopeecall/",
    "dashboard": "/admin/",
}
DELETE_RED = "rgb(186, 33, 33)"  # Django's --delete-button-bg


@pytest.fixture
def demo_like(db):
    """Six shops with long names in six regions, long-named vouchers in every state (some
    managed by Shopee), runs with refusals and failures, calls with errors."""
    now = timezone.now()
    for n, region in enumerate(["TH", "SG", "PH", "VN", "MY", "ID"]):
        name = f"Acme Official Flagship Store {region} with a rather long name {n}"
        token = ShopTokenFactory(
            shop=ShopFactory(name=name, shop_id=7300 + n, region=region),
            access_token_expires_at=now + dt.timedelta(hours=n - 2),
        )
        shop = token.shop
        if n == 1:
            shop.needs_reauth_since = now
            shop.needs_reauth_reason = "the seller canceled the authorization at Shopee"
        shop.authorization_expires_at = now + dt.timedelta(days=n + 2)
        shop.vouchers_synced_at = now - dt.timedelta(minutes=7 * n + 1)
        shop.save()
        for k in range(6):
            VoucherFactory(
                shop=shop,
                voucher_code=f"MEGASALE-{region}-2026-{k:03d}",
                voucher_name=f"Twelve-twelve mega sale {k}: 15% off everything above 500 for "
                f"new followers of {name}, while stocks last",
                voucher_purpose=VoucherPurpose.SHOP_GAME if k == 1 else VoucherPurpose.NORMAL,
                is_admin=k == 2,
                ended_at=now if k == 3 else None,
            )
        VoucherFactory(shop=shop, upcoming=True, voucher_code=f"SOON-{region}-LONGCODE-2027")
        VoucherFactory(shop=shop, expired=True)
        make_run(shop, ["ended"] * 20 + ["refused"] * 3 + ["failed", "skipped", "deleted"])
        make_run(shop, ["ended"] * 5, by="a.merchandiser.with.a.long.name")
        for hours in range(0, 48, 4):
            # Written whole at once: on PostgreSQL a completed call-log row cannot be changed.
            started = now - dt.timedelta(hours=hours, minutes=n)
            refused = hours % 12 == 0
            ShopeeCall.objects.create(
                started_at=started,
                finished_at=started,
                actor_username="system",
                shop=shop,
                shop_shopee_id=shop.shop_id,
                shop_name=shop.name,
                endpoint="/api/v2/voucher/end_voucher",
                method="POST",
                outcome="refused" if refused else "success",
                error="voucher.operate_voucher_permission_error" if refused else "",
                request_id=secrets.token_hex(16),
                voucher_shopee_id=5_000_000_000 + hours,
                voucher_code=f"MEGASALE-{region}-2026-{hours:03d}",
            )
    UserFactory(username="boss", is_superuser=True)


def overflow(page):
    """How far the page, and the changelist's table in its box, reach beyond the window."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const results = document.querySelector('#changelist .results');
          const table = document.querySelector('#result_list');
          return {
            page: root.scrollWidth - root.clientWidth,
            box: results ? results.scrollWidth - results.clientWidth : 0,
            table: table ? table.getBoundingClientRect().right - root.clientWidth : 0,
          };
        }"""
    )


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_lists_fit_a_laptop(page, live_server, demo_like, language):
    page.set_viewport_size(LAPTOP)
    log_in(page, "boss")
    # The language picker's choice (a cookie), set after signing in on the English login page.
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    too_wide = {}
    for name, url in PAGES.items():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name != "dashboard":
            expect(page.locator("#result_list tbody tr").first).to_be_visible()
        reach = overflow(page)
        if any(value > 0 for value in reach.values()):
            too_wide[name] = reach
    assert too_wide == {}, f"wider than 1366 px (px beyond): {too_wide}"


def test_the_columns_that_matter_are_on_screen(page, demo_like):
    page.set_viewport_size(LAPTOP)
    log_in(page, "boss")
    page.goto(PAGES["vouchers"])
    row = page.locator("#result_list tbody tr").first
    for column in ("voucher_code", "name_label", "status_label", "shop_label", "shop_times"):
        box = row.locator(f".field-{column}").bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], column
    expect(page.locator("#result_list .badge-shopee").first).to_be_visible()
    name = page.locator("#result_list .field-name_label .truncate", has_text="Twelve").first
    assert name.get_attribute("title").endswith("while stocks last")  # the whole name
    assert name.evaluate("n => n.scrollHeight > n.clientHeight")  # cut on screen
    page.goto(PAGES["runs"])
    expect(page.locator("#result_list svg.run-outcome").first).to_be_visible()
    expect(page.locator("#result_list .badge-problems").first).to_be_visible()


def test_only_the_destructive_button_is_red(page, demo_like, sandbox):
    """On the confirmation page (Django's delete-confirmation look) "Yes, end" is red; the
    language picker's "Change language" is not."""
    log_in(page, "boss")
    page.goto(PAGES["vouchers"] + "?status=ongoing&ended=no")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="End selected vouchers")
    page.get_by_role("button", name="Run").click()
    confirm = page.locator("#confirm-end")
    expect(confirm).to_be_visible()
    background = "b => getComputedStyle(b).backgroundColor"
    assert confirm.evaluate(background) == DELETE_RED
    change_language = page.locator("#language-picker input[type=submit]")
    assert change_language.evaluate(background) != DELETE_RED
