"""Ending by rule: every ongoing voucher of some shops, resolved from Shopee when the run starts."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from runs.models import EndRun
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import finish_runs, messages_of, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

SHOPS = reverse("admin:shops_shop_changelist")
RULE = reverse("admin:shops_shop_end_rule")
END = "/api/v2/voucher/end_voucher"
DELETE = "/api/v2/voucher/delete_voucher"


@pytest.fixture
def north(sandbox):
    shop = ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop
    VoucherFactory(shop=shop, voucher_code="FLASH1")
    VoucherFactory(shop=shop, voucher_code="OTHER1")
    VoucherFactory(shop=shop, voucher_code="FLASH2", upcoming=True)
    sandbox.mirror()
    return shop


def rule_page(client, *shops):
    return client.post(
        SHOPS, {"action": "end_by_rule", ACTION_CHECKBOX_NAME: [shop.pk for shop in shops]}
    )


def post_rule(client, *shops, **fields):
    data = {ACTION_CHECKBOX_NAME: [shop.pk for shop in shops], **fields}
    return client.post(RULE, data, follow=True)


def test_a_rule_includes_a_voucher_created_after_the_last_sync(merch_client, north, sandbox):
    now = int(timezone.now().timestamp())
    # Created in Seller Centre after our last sync: shopadmin has no record of it yet.
    new_id = 9_900_000_001
    sandbox.control.add_voucher(
        shop_id=north.shop_id,
        voucher_id=new_id,
        voucher_code="FLASH9",
        start_time=now - 600,
        end_time=now + 86400,
    )

    page = rule_page(merch_client, north)
    assert page.status_code == 200
    assert "North 7001 2 1" in text_of(page)  # our copy: 2 ongoing, 1 upcoming
    response = post_rule(merch_client, north, code_prefix="flash")
    run = EndRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:runs_endrun_change", args=[run.pk])
    assert run.rule == {"shops": [north.pk], "code_prefix": "flash", "name_contains": ""}
    assert not sandbox.calls(END)

    finish_runs()

    ended = {call["body"]["voucher_id"] for call in sandbox.calls(END)}
    flash1 = Voucher.objects.get(voucher_code="FLASH1")
    assert ended == {flash1.voucher_id, new_id}
    assert Voucher.objects.get(voucher_id=new_id).ended_at is not None
    assert Voucher.objects.get(voucher_code="OTHER1").ended_at is None
    assert Voucher.objects.get(voucher_code="FLASH2").ended_at is None  # upcoming: not ended
    page = text_of(merch_client.get(reverse("admin:runs_endrun_change", args=[run.pk])))
    assert "Rule, resolved from Shopee's current lists" in page and "FLASH9" in page
    assert "2 of 2 done (100%): 2 ended" in page


def test_a_rule_can_delete_the_matching_upcoming_vouchers(client, north, sandbox):
    client.force_login(
        UserFactory(
            username="deleter", permissions=[*MERCHANDISER_PERMISSIONS, "vouchers.delete_voucher"]
        )
    )
    post_rule(client, north, code_prefix="FLASH", delete_upcoming="on")
    finish_runs()

    flash2 = Voucher.objects.get(voucher_code="FLASH2")
    assert [call["body"]["voucher_id"] for call in sandbox.calls(DELETE)] == [flash2.voucher_id]
    assert flash2.deleted_at is not None
    assert sandbox.voucher(flash2.voucher_id) is None


def test_the_preview_counts_what_our_copy_matches(merch_client, north):
    page = text_of(post_rule(merch_client, north, name_contains="nothing", preview="1"))
    assert "North 7001 0 0" in page
    assert not EndRun.objects.exists()


def test_the_voucher_list_filtered_by_shop_offers_the_rule(merch_client, north):
    listing = merch_client.get(
        reverse("admin:vouchers_voucher_changelist"), {"shop__id__exact": north.pk}
    )
    link = f"{RULE}?shop={north.pk}"
    assert f'href="{link}"' in listing.content.decode()
    page = merch_client.get(link)
    assert page.status_code == 200 and "North 7001 2 1" in text_of(page)
    assert (
        f'href="{RULE}'
        not in merch_client.get(reverse("admin:vouchers_voucher_changelist")).content.decode()
    )


@pytest.mark.parametrize("shops", [[], ["²"], ["0"], ["99999"]], ids=repr)
def test_a_rule_without_valid_shops_ends_nothing(merch_client, north, shops):
    response = merch_client.post(RULE, {ACTION_CHECKBOX_NAME: shops}, follow=True)
    assert "No valid shop was selected. Nothing was ended." in messages_of(response)
    assert not EndRun.objects.exists()


def test_staff_who_may_not_end_cannot_end_by_rule(client, viewer, north):
    viewer.user_permissions.add(Permission.objects.get(codename="view_shop"))
    client.force_login(viewer)
    listing = client.get(SHOPS).content.decode()
    assert "end_by_rule" not in listing
    assert client.post(RULE, {ACTION_CHECKBOX_NAME: [north.pk]}).status_code == 403
    assert client.get(f"{RULE}?shop={north.pk}").status_code == 403
    assert not EndRun.objects.exists()
