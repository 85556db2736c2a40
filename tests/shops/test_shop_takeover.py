"""A team member cannot take over another team's shop: a shop's Shopee id never changes, a shop
is added by hand only by staff who see every shop, and connecting a shop gives it to the teams of
whoever completed Shopee's authorization (issue 16, finding 1)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from sandbox.auth_api import AUTHORIZE_PATH
from shops.models import Shop, ShopToken
from shops.services.shops import ShopChangeRefused, shop_save
from tests.factories import (
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.jobs.follow import finish_jobs
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

A_SHOP_ID = 8_100_000_001
B_SHOP_ID = 8_200_000_002
SHOPS = reverse("admin:shops_shop_changelist")
VOUCHERS = reverse("admin:vouchers_voucher_changelist")
ADD = reverse("admin:shops_shop_add")
CONNECT = reverse("admin:shops_shop_connect")


def team(name, *members):
    group = Group.objects.create(name=name)
    group.permissions.set(
        Permission.objects.filter(codename__in=[p.split(".")[1] for p in TEAM_PERMISSIONS])
    )
    for member in members:
        member.groups.add(group)
    return group


@pytest.fixture
def world(sandbox):
    """Team A with its connected shop; team B whose Shopee shop (with vouchers) is not connected."""
    sandbox.seed(
        shops=[
            {"shop_id": A_SHOP_ID, "name": "Alpha Store", "region": "TH"},
            {"shop_id": B_SHOP_ID, "name": "Bravo Store", "region": "VN"},
        ]
    )
    alice = UserFactory(username="alice", permissions=["shops.add_shop"])
    bob = UserFactory(username="bob", permissions=["shops.add_shop"])
    team_a, team_b = team("Team A", alice), team("Team B", bob)
    a_shop = ShopTokenFactory(shop=ShopFactory(name="Alpha Store", shop_id=A_SHOP_ID)).shop
    a_shop.teams.add(team_a)
    return {"alice": alice, "bob": bob, "team_a": team_a, "team_b": team_b, "a_shop": a_shop}


def login(client, user):
    client.force_login(user)
    return client


def seller_authorizes(client, sandbox, shop_id):
    """Click "Connect", authorize `shop_id` at the sandbox as its seller, follow the callback."""
    start = client.get(CONNECT)
    assert start.status_code == 302
    params = {key: values[0] for key, values in parse_qs(urlsplit(start["Location"]).query).items()}
    answer = requests.get(
        sandbox.base_url + AUTHORIZE_PATH,
        params={**params, "shop_id": shop_id},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    finish_jobs()  # the shop's details and vouchers are fetched by a background job
    return response


def change_form_post(client, shop, **changes):
    data = {
        "name": shop.name,
        "shop_id": shop.shop_id,
        "region": shop.region,
        "access_token": "",
        "refresh_token": "",
        "access_token_expires_at_0": "",
        "access_token_expires_at_1": "",
        **changes,
    }
    return client.post(reverse("admin:shops_shop_change", args=[shop.pk]), data, follow=True)


def test_a_member_cannot_take_over_another_teams_shop(client, world, sandbox):
    alice_client = login(client, world["alice"])
    edit = change_form_post(alice_client, world["a_shop"], shop_id=B_SHOP_ID)
    assert Shop.objects.get(pk=world["a_shop"].pk).shop_id == A_SHOP_ID
    assert any("cannot be changed" in message for message in messages_of(edit))

    bob_client = login(Client(), world["bob"])
    assert seller_authorizes(bob_client, sandbox, B_SHOP_ID).status_code == 302

    b_shop = Shop.objects.get(shop_id=B_SHOP_ID)
    assert b_shop.pk != world["a_shop"].pk
    assert ShopToken.objects.filter(shop=b_shop).exists()
    assert list(b_shop.teams.all()) == [world["team_b"]]
    VoucherFactory(shop=b_shop, voucher_code="BRAVO1")  # as the sync after connecting brings
    shops = text_of(alice_client.get(SHOPS))
    assert "Bravo Store" not in shops and str(B_SHOP_ID) not in shops
    assert "BRAVO1" not in text_of(alice_client.get(VOUCHERS))
    assert "BRAVO1" in text_of(bob_client.get(VOUCHERS))
    page = alice_client.get(reverse("admin:shops_shop_change", args=[b_shop.pk]))
    assert page.status_code == 302  # "doesn't exist", as for anything one may not see
    assert "Bravo Store" in text_of(bob_client.get(SHOPS))


def test_the_change_form_shows_the_shop_id_read_only(client, world):
    page = login(client, world["alice"]).get(
        reverse("admin:shops_shop_change", args=[world["a_shop"].pk])
    )
    assert page.status_code == 200
    assert 'name="shop_id"' not in page.content.decode()
    assert str(A_SHOP_ID) in text_of(page)


def test_a_team_member_cannot_add_a_shop_by_hand(client, world):
    alice_client = login(client, world["alice"])
    assert alice_client.get(ADD).status_code == 403
    response = alice_client.post(
        ADD,
        {"name": "Bravo Store", "shop_id": B_SHOP_ID, "region": "VN", "access_token": "t" * 32},
    )
    assert response.status_code == 403
    assert not Shop.objects.filter(shop_id=B_SHOP_ID).exists()
    page = alice_client.get(SHOPS).content.decode()
    assert f'href="{ADD}"' not in page
    assert f'href="{CONNECT}"' in page  # connecting (Shopee's authorization) is how a member adds


def test_staff_who_see_every_shop_still_add_a_shop_by_hand(client, sandbox):
    boss = UserFactory(
        username="boss",
        permissions=["shops.add_shop", "shops.change_shop", "shops.view_all_shops"],
    )
    boss_client = login(client, boss)
    assert boss_client.get(ADD).status_code == 200
    response = boss_client.post(
        ADD,
        {
            "name": "Pasted",
            "shop_id": 8_300_000_003,
            "region": "SG",
            "access_token": "a" * 32,
            "refresh_token": "r" * 32,
            "access_token_expires_at_0": "",
            "access_token_expires_at_1": "",
        },
    )
    assert response.status_code == 302
    shop = Shop.objects.get(shop_id=8_300_000_003)
    assert ShopToken.objects.get(shop=shop).access_token == "a" * 32
    # ... and even they cannot change the id afterwards.
    edit = change_form_post(boss_client, shop, shop_id=8_300_000_004)
    assert Shop.objects.get(pk=shop.pk).shop_id == 8_300_000_003
    assert any("cannot be changed" in message for message in messages_of(edit))


def test_the_service_refuses_a_new_shop_id_and_a_members_new_shop(world, merchandiser):
    shop = Shop.objects.get(pk=world["a_shop"].pk)
    shop.shop_id = B_SHOP_ID
    with pytest.raises(ShopChangeRefused):
        shop_save(shop=shop, user=merchandiser)
    assert Shop.objects.get(pk=shop.pk).shop_id == A_SHOP_ID
    with pytest.raises(ShopChangeRefused):
        shop_save(shop=Shop(shop_id=B_SHOP_ID, name="Bravo"), user=world["alice"])
    assert not Shop.objects.filter(shop_id=B_SHOP_ID).exists()


def test_connecting_a_known_shop_adds_the_connecting_team_and_keeps_the_given_ones(
    client, world, sandbox
):
    """Made by hand and given to team A by an administrator: team B's member proves access by
    Shopee's authorization and gains it too; team A keeps it (an administrator's decision)."""
    b_shop = ShopFactory(name="Bravo Store", shop_id=B_SHOP_ID)
    b_shop.teams.add(world["team_a"])
    seller_authorizes(login(client, world["bob"]), sandbox, B_SHOP_ID)
    assert set(b_shop.teams.all()) == {world["team_a"], world["team_b"]}


def test_a_shop_whose_id_was_edited_before_goes_only_to_the_connecting_team(client, world, sandbox):
    """A record taken over before ids were fixed (its id edited on the change form) loses the
    teams it had when the real shop's team connects it: they never authorized that shop."""
    taken = world["a_shop"]
    Shop.objects.filter(pk=taken.pk).update(shop_id=B_SHOP_ID)
    LogEntry.objects.create(
        user=world["alice"],
        content_type=ContentType.objects.get_for_model(Shop),
        object_id=str(taken.pk),
        object_repr="Alpha Store",
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Shopee shop id"]}}]',
    )
    seller_authorizes(login(client, world["bob"]), sandbox, B_SHOP_ID)
    assert list(Shop.objects.get(shop_id=B_SHOP_ID).teams.all()) == [world["team_b"]]
