"""The admin's home in a real browser: the dashboard fits a 1366×768 laptop without sideways
scrolling, in English and in Thai, its charts drawn, and breaks no Content-Security-Policy (the
`page` fixture fails the test on any violation)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, screenshot
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.ops.test_dashboard import make_call, make_run, team_member

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def busy_week(db):
    """Shops with long names needing attention, live vouchers, runs and a week of calls."""
    now = timezone.now()
    shops = []
    for n, region in enumerate(["TH", "SG", "PH", "VN", "MY", "ID"]):
        name = f"Acme Official Flagship Store {region} with a rather long name {n}"
        shop = ShopTokenFactory(shop=ShopFactory(name=name, shop_id=7300 + n, region=region)).shop
        if n % 2:
            shop.needs_reauth_since = now
            shop.needs_reauth_reason = "the seller canceled the authorization at Shopee"
        else:
            shop.authorization_expires_at = now + dt.timedelta(days=n + 1)
        shop.save()
        shops.append(shop)
        for k in range(3):
            VoucherFactory(shop=shop, voucher_code=f"LIVE{n}{k}")
        VoucherFactory(shop=shop, upcoming=True)
        make_run(shop, ["ended"] * 20 + ["refused"] * 3 + ["failed", "skipped", "deleted"])
        for hours in range(0, 7 * 24, 3):
            make_call(shop, ago=dt.timedelta(hours=hours, minutes=n))
            if hours % 9 == 0:
                make_call(shop, ago=dt.timedelta(hours=hours), outcome="refused")
    UserFactory(username="boss", is_superuser=True)
    team_member("somchai", shops[0])
    return shops


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize("username", ["boss", "somchai"])
def test_the_dashboard_fits_a_laptop(page, live_server, busy_week, language, username):
    page.set_viewport_size(LAPTOP)
    log_in(page, username)
    # The language picker's choice (a cookie), set after signing in on the English login page.
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/admin/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#dashboard")).to_be_visible()
    expect(page.locator("svg#calls-chart")).to_be_visible()
    expect(page.locator("svg#errors-chart")).to_be_visible()
    expect(page.locator("#dash-runs svg.dash-runbar").first).to_be_visible()
    expect(page.locator("#content-main")).to_be_visible()  # the list of models, below
    box = page.locator("svg#calls-chart").bounding_box()
    assert box["width"] > 600, box  # drawn across the page, not squeezed
    assert not scrolls_sideways(page), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if username == "somchai":
        expect(page.locator("#dashboard")).not_to_contain_text("Store SG")
    if (language, username) == ("en", "boss"):
        screenshot(page, "dashboard.png")
