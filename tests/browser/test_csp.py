"""The Content-Security-Policy in a real browser: what it blocks is seen, and our pages break
none of it (the `page` fixture fails any test whose pages raise `securitypolicyviolation`)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from runs.services.create import run_create
from tests.browser.helpers import log_in
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.browser


def test_an_inline_style_is_blocked_and_reported(page, csp_violations):
    page.goto("/admin/login/")
    page.evaluate(
        """() => {
          document.body.setAttribute("style", "background: red");
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("window.cspViolations.length >= 2")
    assert page.evaluate("window.inlineRan") is None  # the inline script never ran
    page.wait_for_timeout(200)  # the report reaches the test asynchronously
    directives = sorted(violation["directive"] for violation in csp_violations)
    assert directives == ["script-src-elem", "style-src-attr"]
    # Expected here: forget them, or the fixture fails the test.
    csp_violations.clear()
    page.evaluate("window.cspViolations = []")


def test_the_main_pages_break_no_policy(page, db):
    UserFactory(username="root", is_superuser=True)
    ok = ShopTokenFactory(shop__name="Acme SG", shop__region="SG").shop
    VoucherFactory.create_batch(3, shop=ok)
    ShopFactory(
        name="Acme TH",
        needs_reauth_since=timezone.now(),
        needs_reauth_reason="the seller cancelled the authorization",
    )
    ShopTokenFactory(
        shop__name="Acme VN",
        shop__authorization_expires_at=timezone.now() + dt.timedelta(days=3),
    )
    team = Group.objects.create(name="Thailand team")
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="3 selected")

    log_in(page, "root")
    for url in [
        reverse("admin:shops_shop_changelist"),
        reverse("admin:vouchers_voucher_changelist"),
        reverse("admin:vouchers_voucher_change", args=[Voucher.objects.first().pk]),
        reverse("admin:vouchers_voucher_import"),
        reverse("admin:runs_endrun_change", args=[run.pk]),
        reverse("admin:audit_shopeecall_changelist"),
        reverse("admin:auth_group_change", args=[team.pk]),
        reverse("admin:auth_user_add"),
        reverse("notification_settings"),
    ]:
        page.goto(url)
        page.wait_for_load_state("load")
        expect(page.locator("#language-picker")).to_be_visible()

    # The progress bar and the language picker are styled by our stylesheet.
    page.goto(reverse("admin:runs_endrun_change", args=[run.pk]))
    assert page.locator("progress.run-bar").evaluate("e => e.value") == 0
    assert page.locator("#language-picker").evaluate("e => getComputedStyle(e).display") == "flex"
    # The team page's shop and member pickers are built by the admin's JavaScript.
    page.goto(reverse("admin:auth_group_change", args=[team.pk]))
    expect(page.locator("#id_shops_from")).to_be_visible()
