"""Teams: a Thailand-team user sees and acts on Thailand's shops only, by UI or direct POST."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import ShopeeCall
from runs.models import EndRun
from runs.services.create import run_create
from shopee.client import get_client
from shops.services.authorizations import shops_authorization_check
from tests.factories import (
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.jobs.follow import follow_job, job_outcome
from tests.pages import ask_to_end, confirm, finish_runs, messages_of, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"
VOUCHERS = reverse("admin:vouchers_voucher_changelist")
SHOPS = reverse("admin:shops_shop_changelist")
CALLS = reverse("admin:audit_shopeecall_changelist")
RUNS = reverse("admin:runs_endrun_changelist")


@pytest.fixture
def world(sandbox):
    """A Thailand and a Singapore shop, each with vouchers; a Thailand team with one member."""
    th = ShopTokenFactory(shop=ShopFactory(name="Acme Thailand", shop_id=7100, region="TH")).shop
    sg = ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7200, region="SG")).shop
    th_vouchers = [VoucherFactory(shop=th, voucher_code=f"TH{n}") for n in range(2)]
    sg_vouchers = [VoucherFactory(shop=sg, voucher_code=f"SG{n}") for n in range(2)]
    sandbox.mirror()
    team = Group.objects.create(name="Thailand team")
    team.permissions.set(
        Permission.objects.filter(codename__in=[p.split(".")[1] for p in TEAM_PERMISSIONS])
    )
    th.teams.add(team)
    member = UserFactory(username="somchai")
    member.groups.add(team)
    return {
        "th": th,
        "sg": sg,
        "th_vouchers": th_vouchers,
        "sg_vouchers": sg_vouchers,
        "member": member,
    }


@pytest.fixture
def th_client(client, world):
    client.force_login(world["member"])
    return client


@pytest.fixture
def sg_run(world, db):
    """A run over Singapore's vouchers, started by someone who sees every shop."""
    boss = UserFactory(username="boss", permissions=["shops.view_all_shops"])
    run = run_create(vouchers=Voucher.objects.filter(shop=world["sg"]), actor=boss, selection="SG")
    finish_runs()
    return run


def test_a_team_member_sees_only_the_teams_shops(th_client, world, sg_run):
    assert "Acme Thailand" in text_of(th_client.get(SHOPS))
    assert "Acme Singapore" not in text_of(th_client.get(SHOPS))
    vouchers = text_of(th_client.get(VOUCHERS))
    assert "TH0" in vouchers and "SG0" not in vouchers
    assert "Acme Singapore" not in vouchers  # not even in the shop filter
    assert "Acme Singapore" not in text_of(th_client.get(CALLS))
    assert not th_client.get(CALLS).context["cl"].result_list  # the run's calls are Singapore's
    assert sg_run not in th_client.get(RUNS).context["cl"].result_list
    page = th_client.get(reverse("admin:runs_endrun_change", args=[sg_run.pk]), follow=True)
    assert "Acme Singapore" not in text_of(page)
    sg_voucher = world["sg_vouchers"][0]
    page = th_client.get(reverse("admin:vouchers_voucher_change", args=[sg_voucher.pk]))
    assert page.status_code == 302  # "does not exist", as Django says for what one cannot see


def test_a_direct_post_for_another_teams_vouchers_ends_nothing(th_client, world, sandbox):
    mixed = [world["th_vouchers"][0], world["sg_vouchers"][0]]
    confirmation = ask_to_end(th_client, mixed)
    # Django's action itself ignores ids outside the queryset; our confirmation then refuses
    # any id the user may not see.
    response = th_client.post(
        reverse("admin:vouchers_voucher_end"),
        {ACTION_CHECKBOX_NAME: [v.pk for v in mixed], "next": VOUCHERS},
        follow=True,
    )
    assert "The selection was not valid. Nothing was ended." in messages_of(response)
    assert not EndRun.objects.exists()
    assert "SG0" not in text_of(confirmation)


def test_select_all_ends_only_the_teams_vouchers(th_client, world, sandbox):
    response = th_client.post(
        reverse("admin:vouchers_voucher_end"),
        {"select_across": "1", "filters": "", "next": VOUCHERS},
        follow=True,
    )
    assert "2 vouchers to check at Shopee and end" in " ".join(messages_of(response))
    finish_runs()
    ended = {call["shop_id"] for call in sandbox.calls(END)}
    assert ended == {world["th"].shop_id}


def test_csv_rows_for_another_teams_shop_are_refused_by_line(th_client, world):
    data = "shop_id,voucher_code\n7100,TH0\n7200,SG0\n"
    page = th_client.post(
        reverse("admin:vouchers_voucher_import"),
        {"file": SimpleUploadedFile("mixed.csv", data.encode(), content_type="text/csv")},
    )
    text = text_of(page)
    assert "3 Shop 7200 is not one of your teams' shops." in text
    assert "1 voucher will be ended on Shopee" in text


def test_another_teams_run_cannot_be_retried_or_canceled(th_client, sg_run):
    for name in ("runs_endrun_retry", "runs_endrun_cancel"):
        assert th_client.post(reverse(f"admin:{name}", args=[sg_run.pk])).status_code == 403


def test_another_teams_shop_cannot_be_synced_or_ended_by_rule(th_client, world, sandbox):
    sg = world["sg"]
    th_client.post(SHOPS, {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [sg.pk]})
    rule = th_client.post(
        reverse("admin:shops_shop_end_rule"), {ACTION_CHECKBOX_NAME: [sg.pk]}, follow=True
    )
    assert "No valid shop was selected. Nothing was ended." in messages_of(rule)
    assert not ShopeeCall.objects.filter(shop=sg).exists()
    assert not EndRun.objects.exists()


def test_see_all_shops_and_superusers_see_everything(client, world):
    auditor = UserFactory(
        username="auditor", permissions=["vouchers.view_voucher", "shops.view_all_shops"]
    )
    client.force_login(auditor)
    vouchers = text_of(client.get(VOUCHERS))
    assert "TH0" in vouchers and "SG0" in vouchers


def test_a_team_is_managed_with_its_shops_and_members(admin_client, world):
    newcomer = UserFactory(username="malee")
    response = admin_client.post(
        reverse("admin:auth_group_add"),
        {"name": "Singapore team", "shops": [world["sg"].pk], "members": [newcomer.pk]},
    )
    assert response.status_code == 302
    team = Group.objects.get(name="Singapore team")
    assert list(team.shops.all()) == [world["sg"]]
    assert list(team.user_set.all()) == [newcomer]
    assert "Acme Singapore" in text_of(
        admin_client.get(reverse("admin:auth_group_change", args=[team.pk]))
    )


def test_the_end_flow_works_for_a_team_member(th_client, world, sandbox):
    confirm(th_client, ask_to_end(th_client, world["th_vouchers"]))
    finish_runs()
    assert Voucher.objects.filter(ended_at__isnull=False, shop=world["th"]).count() == 2
    run = EndRun.objects.get()
    assert run in th_client.get(RUNS).context["cl"].result_list


AUTOCOMPLETE = reverse("admin:autocomplete")
TEAM_SHOPS = {"app_label": "auth", "model_name": "group", "field_name": "shops"}


def test_the_teams_shops_autocomplete_answers_with_the_shops_one_may_see(
    client, admin_client, world
):
    """The team page's shops field: Django's autocomplete failed on it (a reverse relation)."""
    everything = admin_client.get(AUTOCOMPLETE, {**TEAM_SHOPS, "term": "Acme"})
    assert everything.status_code == 200
    assert {r["text"] for r in everything.json()["results"]} == {
        "Acme Thailand (7100)",
        "Acme Singapore (7200)",
    }
    client.force_login(world["member"])
    mine = client.get(AUTOCOMPLETE, {**TEAM_SHOPS, "term": "Acme"})
    assert mine.status_code == 200
    assert mine.json()["results"] == [{"id": str(world["th"].pk), "text": "Acme Thailand (7100)"}]
    client.force_login(UserFactory(username="nobody", permissions=["vouchers.view_voucher"]))
    assert client.get(AUTOCOMPLETE, {**TEAM_SHOPS, "term": "Acme"}).status_code == 403


def test_a_team_member_who_may_edit_groups_cannot_give_the_team_a_shop(client, world):
    """Editing a team chooses its shops, members and permissions: staff who see every shop only."""
    member = world["member"]
    for codename in ("view_group", "change_group"):
        member.user_permissions.add(Permission.objects.get(codename=codename))
    team = member.groups.get()
    client.force_login(member)
    change = reverse("admin:auth_group_change", args=[team.pk])
    assert client.get(change).status_code == 403
    response = client.post(
        change, {"name": team.name, "shops": [world["th"].pk, world["sg"].pk], "members": []}
    )
    assert response.status_code == 403
    assert list(team.shops.all()) == [world["th"]]
    assert "Acme Singapore" not in text_of(client.get(SHOPS))


UNCONNECTED = 7_900_000_001


@pytest.fixture
def partner_shops(world, sandbox):
    """Shopee also lists a shop nobody has connected here."""
    document = sandbox.mirror()
    document["shops"].append(
        {**document["shops"][0], "shop_id": UNCONNECTED, "name": "Someone Else"}
    )
    sandbox.control.reset(document)


def test_a_team_member_is_not_told_the_partners_other_shop_ids(world, partner_shops, client):
    member_report = shops_authorization_check(
        client=get_client(), shops=[world["th"]], actor=world["member"]
    )
    assert [shop.pk for shop in member_report.confirmed] == [world["th"].pk]
    assert member_report.not_connected == [] and not member_report.partner_wide
    boss = UserFactory(
        username="boss",
        permissions=["shops.view_all_shops", "shops.view_shop", "shops.change_shop"],
    )
    assert shops_authorization_check(client=get_client(), actor=boss).not_connected == [UNCONNECTED]
    # Through the shop list's action and its job page, as the member sees it once it is done.
    client.force_login(world["member"])
    started = client.post(
        SHOPS, {"action": "check_authorizations", ACTION_CHECKBOX_NAME: [world["th"].pk]}
    )
    page = follow_job(client, started)
    assert page.status_code == 200
    assert "1 of the 1 selected shop confirmed by Shopee." in job_outcome(page)
    assert str(UNCONNECTED) not in page.content.decode()
    # Staff who see every shop are told which shops are not connected yet.
    client.force_login(boss)
    started = client.post(
        SHOPS, {"action": "check_authorizations", ACTION_CHECKBOX_NAME: [world["th"].pk]}
    )
    assert any(str(UNCONNECTED) in text for text in job_outcome(follow_job(client, started)))
