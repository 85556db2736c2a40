"""Pushes we missed: fetched with get_lost_push_message, applied once, acknowledged."""

import pytest
from django.urls import reverse

from tests.factories import ShopTokenFactory
from vouchers.models import Shop, ShopeeCall, ShopeePush
from vouchers.services.push import lost_pushes_apply
from vouchers.shopee.client import get_client

pytestmark = pytest.mark.django_db

PUSH = reverse("shopee_push")
# Shopee signs a push over the registered URL; the test client serves it as testserver.
PUSH_URL = "http://testserver" + PUSH
CONFIRM = "/api/v2/push/confirm_consumed_lost_push_message"


@pytest.fixture
def shops(sandbox):
    tokens = [ShopTokenFactory(shop__name=f"Ours {n}") for n in range(3)]
    sandbox.mirror()
    return [token.shop for token in tokens]


def test_a_lost_cancellation_is_applied_and_acknowledged(sandbox, shops):
    sandbox.control.cancel_authorization(shops[0].shop_id)
    [lost] = sandbox.control.pushes()
    assert not lost["delivered"]

    report = lost_pushes_apply(client=get_client())

    assert (report.fetched, report.applied, report.duplicates) == (1, 1, 0)
    assert Shop.objects.get(pk=shops[0].pk).needs_reauth
    assert not Shop.objects.get(pk=shops[1].pk).needs_reauth
    row = ShopeePush.objects.get()
    assert (row.source, row.outcome, row.code) == ("lost_push", "applied", 2)
    assert sandbox.control.pushes()[0]["consumed"]
    assert (
        ShopeeCall.objects.get(endpoint=CONFIRM).request["body"]["last_message_id"]
        == (lost["message_id"])
    )
    # Nothing is fetched twice.
    assert lost_pushes_apply(client=get_client()).fetched == 0


def test_a_push_received_and_also_listed_as_lost_is_applied_once(client, sandbox, shops):
    # Shopee tried to deliver to a URL that did not answer, so it lists the push as lost;
    # then the same push reaches us after all.
    sandbox.control.set_push_url(PUSH_URL)
    sandbox.control.cancel_authorization(shops[0].shop_id)
    push = next(p for p in sandbox.control.pushes() if p["code"] == 2)
    answer = client.post(
        PUSH,
        push["body"].encode(),
        content_type="application/json",
        HTTP_AUTHORIZATION=push["authorization"],
    )
    assert answer.status_code == 200

    report = lost_pushes_apply(client=get_client())

    # Lost: Shopee's verification of the URL (answered) and the cancellation (applied once).
    assert (report.fetched, report.applied, report.duplicates) == (2, 0, 1)
    rows = ShopeePush.objects.filter(code=2).order_by("id")
    assert list(rows.values_list("source", "outcome")) == [
        ("push", "applied"),
        ("lost_push", "duplicate"),
    ]


def test_many_lost_pushes_are_read_page_by_page(sandbox, shops):
    for n in range(130):
        sandbox.control.send_push(3, {"ordersn": f"O{n}"}, shop_id=shops[0].shop_id)

    report = lost_pushes_apply(client=get_client())

    assert report.fetched == 130
    assert ShopeePush.objects.filter(source="lost_push", outcome="ignored").count() == 130
    assert all(p["consumed"] for p in sandbox.control.pushes())
    assert len(sandbox.calls("/api/v2/push/get_lost_push_message")) == 2
