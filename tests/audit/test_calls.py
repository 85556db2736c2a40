"""Every attempted call leaves one audit row, written before the request leaves."""

import pytest

from audit.models import ShopeeCall
from audit.services.calls import shopee_call
from shopee import api
from shopee.client import ShopAuth, ShopeeClient, get_client
from tests.conftest import PARTNER_KEY
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def test_a_row_is_pending_while_the_call_is_in_flight(sandbox, monkeypatch):
    voucher = VoucherFactory()
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    seen = {}

    def send_and_look(self, prepared):
        seen["row"] = ShopeeCall.objects.get()
        raise KeyboardInterrupt  # the process dies mid-call

    monkeypatch.setattr(ShopeeClient, "send", send_and_look)
    with pytest.raises(KeyboardInterrupt):
        shopee_call(
            client=get_client(),
            api=api.end_voucher(voucher_id=voucher.voucher_id),
            shop=voucher.shop,
            shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
            voucher=voucher,
            actor=UserFactory(),
        )
    row = ShopeeCall.objects.get()
    assert seen["row"].pk == row.pk
    assert row.outcome == "pending"
    assert row.finished_at is None
    assert row.request["body"] == {"voucher_id": voucher.voucher_id}
    assert row.request["query"]["sign"] == "[redacted]"


def test_snapshots_survive_deleting_the_voucher_shop_and_user(sandbox):
    voucher = VoucherFactory(voucher_code="KEEPME")
    token = ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    user = UserFactory(username="gone-later")
    shopee_call(
        client=get_client(),
        api=api.end_voucher(voucher_id=voucher.voucher_id),
        shop=voucher.shop,
        shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
        voucher=voucher,
        actor=user,
    )
    shop_id = token.shop.shop_id
    voucher.shop.delete()
    user.delete()
    row = ShopeeCall.objects.get()
    assert (row.shop, row.voucher, row.actor) == (None, None, None)
    assert row.actor_username == "gone-later"
    assert row.shop_shopee_id == shop_id
    assert (row.voucher_shopee_id, row.voucher_code) == (voucher.voucher_id, "KEEPME")
    assert row.outcome == "success"
    assert PARTNER_KEY not in str(row.request) + str(row.response)
