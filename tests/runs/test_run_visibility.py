"""A run over several teams' shops: each team sees it, with only its own shops' part."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from runs.models import EndRun
from runs.services.create import run_create
from tests.factories import (
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import finish_runs, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:runs_endrun_changelist")
CALLS = reverse("admin:audit_shopeecall_changelist")


def page_of(run):
    return reverse("admin:runs_endrun_change", args=[run.pk])


def team(name, shop, username):
    group = Group.objects.create(name=name)
    group.permissions.set(
        Permission.objects.filter(codename__in=[p.split(".")[1] for p in TEAM_PERMISSIONS])
    )
    shop.teams.add(group)
    member = UserFactory(username=username)
    member.groups.add(group)
    return member


@pytest.fixture
def world(sandbox):
    alpha = ShopTokenFactory(shop=ShopFactory(name="Alpha Store", shop_id=7301)).shop
    bravo = ShopTokenFactory(shop=ShopFactory(name="Bravo Store", shop_id=7302)).shop
    for n in range(2):
        VoucherFactory(shop=alpha, voucher_code=f"ALPHA{n}")
    for n in range(3):
        VoucherFactory(shop=bravo, voucher_code=f"BRAVO{n}")
    sandbox.mirror()
    boss = UserFactory(username="boss", permissions=["shops.view_all_shops", "runs.view_endrun"])
    mixed = run_create(vouchers=Voucher.objects.all(), actor=boss, selection="both teams")
    finish_runs()
    rule = {"code_prefix": "", "name_contains": ""}
    return {
        "alpha": alpha,
        "bravo": bravo,
        "alice": team("Alpha team", alpha, "alice"),
        "bob": team("Bravo team", bravo, "bob"),
        "mixed": mixed,
        "bravo_rule": run_create(
            vouchers=Voucher.objects.none(),
            actor=boss,
            selection="Every ongoing voucher of 1 shop(s) (Bravo Store)",
            rule={**rule, "shops": [bravo.pk]},
        ),
        "both_rule": run_create(
            vouchers=Voucher.objects.none(),
            actor=boss,
            selection="Every ongoing voucher of 2 shop(s) (Alpha Store, Bravo Store)",
            rule={**rule, "shops": [alpha.pk, bravo.pk]},
        ),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_each_team_lists_the_runs_that_touch_its_shops(client, world):
    listed = set(login(client, world["alice"]).get(RUNS).context["cl"].result_list)
    assert listed == {world["mixed"], world["both_rule"]}  # not the run of Bravo's shop only
    listed = set(login(client, world["bob"]).get(RUNS).context["cl"].result_list)
    assert listed == {world["mixed"], world["bravo_rule"], world["both_rule"]}
    assert "Bravo Store" not in text_of(login(client, world["alice"]).get(RUNS))


def test_the_run_page_shows_only_the_teams_own_shops(client, world):
    page = login(client, world["alice"]).get(page_of(world["mixed"]))
    assert page.status_code == 200
    text = text_of(page)
    assert "ALPHA0" in text and "ALPHA1" in text
    assert "BRAVO" not in text and "Bravo Store" not in text and "7302" not in text
    assert "2 of 2 done (100%)" in text and "2 ended" in text
    assert [shop["name"] for shop in page.context["progress"].shops] == ["Alpha Store"]

    text = text_of(login(client, world["bob"]).get(page_of(world["mixed"])))
    assert "3 of 3 done (100%)" in text and "3 ended" in text
    assert "ALPHA" not in text and "Alpha Store" not in text

    boss = EndRun.objects.get(pk=world["mixed"].pk).created_by
    assert "5 of 5 done (100%)" in text_of(login(client, boss).get(page_of(world["mixed"])))


def test_a_rule_run_names_only_the_teams_own_shops(client, world):
    alice = login(client, world["alice"])
    text = text_of(alice.get(page_of(world["both_rule"])))
    assert "Alpha Store" in text and "Bravo Store" not in text
    gone = alice.get(page_of(world["bravo_rule"]), follow=True)
    assert "Bravo Store" not in text_of(gone)
    assert gone.redirect_chain  # "doesn't exist", as for any run one cannot see


def test_a_call_rows_run_link_opens_the_run(client, world):
    alice = login(client, world["alice"])
    calls = alice.get(CALLS).context["cl"].result_list
    assert calls and {call.shop_id for call in calls} == {world["alpha"].pk}
    detail = text_of(alice.get(reverse("admin:audit_shopeecall_change", args=[calls[0].pk])))
    run_pk = int(re.search(r"Run (\d+)", detail).group(1))
    assert run_pk == world["mixed"].pk
    page = alice.get(page_of(world["mixed"]))
    assert page.status_code == 200 and not getattr(page, "redirect_chain", None)


def test_a_shared_run_is_canceled_only_by_who_sees_all_its_shops(client, world):
    alice = login(client, world["alice"])
    run = world["both_rule"]
    page = alice.get(page_of(run))
    assert b"run-cancel" not in page.content
    cancel = reverse("admin:runs_endrun_cancel", args=[run.pk])
    assert alice.post(cancel).status_code == 403
    assert EndRun.objects.get(pk=run.pk).active


def test_retry_in_a_shared_run_retries_the_teams_own_failures(client, sandbox, settings):
    settings.END_RUN_MAX_ATTEMPTS = 1
    alpha = ShopTokenFactory(shop=ShopFactory(name="Alpha Store", shop_id=7301)).shop
    bravo = ShopTokenFactory(shop=ShopFactory(name="Bravo Store", shop_id=7302)).shop
    VoucherFactory(shop=alpha, voucher_code="ALPHA0")
    VoucherFactory(shop=bravo, voucher_code="BRAVO0")
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": "/api/v2/voucher/end_voucher", "kind": "shopee_error", "error": "error_server"}]
    )
    boss = UserFactory(username="boss", permissions=["shops.view_all_shops"])
    run = run_create(vouchers=Voucher.objects.all(), actor=boss, selection="both teams")
    finish_runs()
    assert set(run.items.values_list("state", flat=True)) == {"failed"}

    alice = login(client, team("Alpha team", alpha, "alice"))
    retried = alice.post(reverse("admin:runs_endrun_retry", args=[run.pk]), follow=True)
    assert "Retrying 1 failed voucher." in text_of(retried)
    states = dict(run.items.values_list("shop__name", "state"))
    assert states == {"Alpha Store": "pending", "Bravo Store": "failed"}
