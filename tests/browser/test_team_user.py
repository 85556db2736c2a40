"""A Thailand-team merchandiser in a real browser: sees Thailand's shop only, ends its vouchers."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from tests.browser.helpers import log_in, open_from_navigation, screenshot
from tests.factories import (
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from vouchers.models import Voucher

pytestmark = pytest.mark.browser

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def thailand_team(sandbox, db):
    th = ShopTokenFactory(shop=ShopFactory(name="Acme Thailand", shop_id=7401, region="TH")).shop
    sg = ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7402, region="SG")).shop
    for n in range(3):
        VoucherFactory(shop=th, voucher_code=f"TH{n}")
        VoucherFactory(shop=sg, voucher_code=f"SG{n}")
    sandbox.mirror()
    team = Group.objects.create(name="Thailand team")
    codenames = [label.split(".")[1] for label in TEAM_PERMISSIONS]
    team.permissions.set(Permission.objects.filter(codename__in=codenames))
    th.teams.add(team)
    UserFactory(username="somchai").groups.add(team)
    return th, sg


def test_a_team_member_sees_and_ends_only_the_teams_vouchers(page, sandbox, thailand_team, worker):
    th, sg = thailand_team
    log_in(page, "somchai")

    open_from_navigation(page, "Shops")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Acme Thailand")

    open_from_navigation(page, "Vouchers")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    codes = rows.locator(".field-voucher_code")
    expect(codes).to_have_count(3)
    assert sorted(codes.all_inner_texts()) == ["TH0", "TH1", "TH2"]
    expect(rows.first.locator(".field-shop_times")).to_contain_text("+07")
    expect(page.locator("#changelist-filter")).not_to_contain_text("Acme Singapore")
    screenshot(page, "team_vouchers.png")

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="End selected vouchers")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#end-summary")).to_have_text("3 vouchers will be ended on Shopee.")
    expect(page.locator("#end-per-shop tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Yes, end 3 vouchers").click()

    page.wait_for_url("**/admin/runs/endrun/*/change/")
    expect(page.locator("#run-status")).to_contain_text("Status: Finished", timeout=30_000)
    expect(page.locator("#run-summary")).to_contain_text("3 ended")
    assert {call["shop_id"] for call in sandbox.calls(END)} == {th.shop_id}
    assert not Voucher.objects.filter(shop=sg, ended_at__isnull=False).exists()
