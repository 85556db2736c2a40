"""Pushes we missed: fetched with get_lost_push_message, applied once, acknowledged."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall, ShopeePush
from shopee.client import get_client
from shopee.errors import ShopeeError, ShopeeTransientError
from shopee.signing import push_signature
from shops.models import Shop
from shops.services.push import apply as push_apply_module
from shops.services.push import lost as push_lost_module
from shops.services.push import lost_pushes_apply
from tests.conftest import PARTNER_KEY
from tests.factories import ShopTokenFactory

pytestmark = pytest.mark.django_db

PUSH = reverse("shopee_push")
# Shopee signs a push over the registered URL; the test client serves it as testserver.
PUSH_URL = "http://testserver" + PUSH
CONFIRM = "/api/v2/push/confirm_consumed_lost_push_message"
GET_LOST = "/api/v2/push/get_lost_push_message"


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


MAIN_ACCOUNT = 880_101
MERCHANT = 9_300_001


@pytest.fixture
def main_account(sandbox):
    """Our shops A and B, a main account's (merchant MERCHANT), and shop C, its own; Shopee has
    no push URL, so every push it makes is lost."""
    shops = [
        ShopTokenFactory(shop__name=name, shop__merchant_id=merchant).shop
        for name, merchant in [("A", MERCHANT), ("B", MERCHANT), ("C", None)]
    ]
    a, b, c = shops
    sandbox.seed(
        shops=[{"shop_id": s.shop_id, "name": s.name, "region": "SG"} for s in shops],
        main_accounts=[
            {
                "main_account_id": MAIN_ACCOUNT,
                "shop_ids": [a.shop_id, b.shop_id],
                "merchant_ids": [MERCHANT],
            }
        ],
    )
    return shops


def test_lost_main_account_cancellation_and_expiry_are_applied_then_confirmed(
    sandbox, main_account
):
    a, b, c = main_account
    ends = int(timezone.now().timestamp()) + 5 * 86400
    cancelled = sandbox.control.cancel_main_account(MAIN_ACCOUNT)["push"]
    expiring = sandbox.control.expire_soon([c.shop_id], expire_at=ends)["push"]
    assert [p["lost_at"] is not None for p in sandbox.control.pushes()] == [True, True]

    report = lost_pushes_apply(client=get_client())

    assert (report.fetched, report.applied, report.malformed, report.problem) == (2, 2, 0, "")
    assert Shop.objects.get(pk=a.pk).needs_reauth and Shop.objects.get(pk=b.pk).needs_reauth
    c.refresh_from_db()
    assert not c.needs_reauth and c.authorization_expiry_notice_at is not None
    assert int(c.authorization_expires_at.timestamp()) == ends
    rows = list(ShopeePush.objects.order_by("id"))
    assert [(r.source, r.code, r.outcome) for r in rows] == [
        ("lost_push", 2, "applied"),
        ("lost_push", 12, "applied"),
    ]
    assert rows[0].body["data"]["main_account_id"] == MAIN_ACCOUNT  # the whole message, parsed
    # Confirmed once both were applied, up to the page's last message.
    [confirm] = ShopeeCall.objects.filter(endpoint=CONFIRM)
    assert confirm.request["body"]["last_message_id"] == expiring["message_id"]
    assert confirm.started_at >= rows[-1].received_at
    assert report.confirmed_up_to == expiring["message_id"] > cancelled["message_id"]
    assert all(p["consumed"] for p in sandbox.control.pushes())


def test_a_lost_push_that_arrives_later_is_not_applied_again(client, sandbox, shops, settings):
    settings.SHOPEE_PUSH_URL = PUSH_URL
    sandbox.control.cancel_authorization(shops[0].shop_id)
    [lost] = sandbox.control.pushes()
    assert lost_pushes_apply(client=get_client()).applied == 1
    Shop.objects.filter(pk=shops[0].pk).update(needs_reauth_since=None, needs_reauth_reason="")
    # Shopee delivers the same message after all (signed over our URL, as it would be).
    body = lost["body"].encode()
    signature = push_signature(partner_key=PARTNER_KEY, callback_url=PUSH_URL, body=body)
    answer = client.post(PUSH, body, content_type="application/json", HTTP_AUTHORIZATION=signature)

    assert answer.status_code == 200
    assert not Shop.objects.get(pk=shops[0].pk).needs_reauth
    assert list(ShopeePush.objects.order_by("id").values_list("source", "outcome")) == [
        ("lost_push", "applied"),
        ("push", "duplicate"),
    ]


def fail_on(monkeypatch, marker):
    """Applying the message whose data carries `marker` raises a database error, once."""
    real = push_apply_module._effects
    failed = []

    def effects(message):
        if message.data.get("marker") == marker and not failed:
            failed.append(marker)
            raise DatabaseError("disk full")
        return real(message)

    monkeypatch.setattr(push_apply_module, "_effects", effects)
    return failed


def test_a_failure_mid_list_confirms_only_what_was_applied(sandbox, shops, monkeypatch):
    first, second, third = (s.shop_id for s in shops)
    sandbox.control.cancel_authorization(first)
    sandbox.control.send_push(2, {"shop_id_list": [second], "marker": "boom"})
    sandbox.control.cancel_authorization(third)
    failed = fail_on(monkeypatch, "boom")

    report = lost_pushes_apply(client=get_client())

    assert failed == ["boom"]
    assert "lost push 2 of a page of 3 could not be applied" in report.problem
    assert (report.fetched, report.applied, report.confirmed_up_to) == (1, 1, None)
    assert [Shop.objects.get(pk=s.pk).needs_reauth for s in shops] == [True, False, False]
    assert not ShopeeCall.objects.filter(endpoint=CONFIRM).exists()
    assert not any(p["consumed"] for p in sandbox.control.pushes())

    # The next run meets the same page: the first is known, the rest applied, all confirmed.
    again = lost_pushes_apply(client=get_client())

    assert (again.fetched, again.applied, again.duplicates, again.problem) == (3, 2, 1, "")
    assert [Shop.objects.get(pk=s.pk).needs_reauth for s in shops] == [True, True, True]
    assert all(p["consumed"] for p in sandbox.control.pushes())


def test_pages_before_a_failure_are_confirmed_and_the_failing_page_is_not(
    sandbox, shops, monkeypatch
):
    for n in range(130):
        sandbox.control.send_push(3, {"marker": n}, shop_id=shops[0].shop_id)
    fail_on(monkeypatch, 110)

    report = lost_pushes_apply(client=get_client())

    assert (report.fetched, report.confirmed_up_to) == (110, 100)
    assert [p["consumed"] for p in sandbox.control.pushes()] == [True] * 100 + [False] * 30
    again = lost_pushes_apply(client=get_client())
    assert (again.fetched, again.duplicates, again.confirmed_up_to) == (30, 10, 130)


def test_a_page_that_fails_is_not_confirmed(sandbox, shops, monkeypatch):
    for n in range(105):
        sandbox.control.send_push(3, {"marker": n}, shop_id=shops[0].shop_id)
    real_call = push_lost_module.shopee_call

    def call(**kwargs):
        answer = real_call(**kwargs)
        if kwargs["api"].path == CONFIRM:  # Shopee fails from the second page on
            sandbox.control.set_faults([{"path": GET_LOST, "kind": "http_status", "times": 1}])
        return answer

    monkeypatch.setattr(push_lost_module, "shopee_call", call)

    with pytest.raises(ShopeeError):
        lost_pushes_apply(client=get_client())

    assert [p["consumed"] for p in sandbox.control.pushes()] == [True] * 100 + [False] * 5
    assert ShopeePush.objects.count() == 100
    assert [c["status"] for c in sandbox.calls(GET_LOST)] == [200, 500]


def lost_page(entries, last_message_id):
    return {
        "request_id": "r1",
        "error": "",
        "message": "",
        "response": {
            "push_message_list": entries,
            "has_next_page": False,
            "last_message_id": last_message_id,
        },
    }


def test_malformed_entries_are_logged_kept_and_confirmed_with_their_page(sandbox, shops):
    shop = shops[0]
    for _ in range(3):
        sandbox.control.send_push(3, {}, shop_id=shop.shop_id)  # message ids 1-3, lost
    whole = {"code": 2, "timestamp": 1_700_000_000, "data": {"shop_id_list": [shop.shop_id]}}
    entries = [
        {"code": 2, "timestamp": 1_700_000_100, "data": json.dumps(whole)},
        # Our sandbox's old shape: data is only the inner object.
        {"code": 2, "timestamp": 1_700_000_100, "data": {"shop_id_list": [shop.shop_id]}},
        {"code": 12, "timestamp": 1_700_000_100, "data": "{not json"},
        {"code": 12, "timestamp": 1_700_000_100, "data": json.dumps(whole)},  # code differs
    ]
    sandbox.control.set_faults(
        [
            {
                "path": GET_LOST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": lost_page(entries, 3),
                "times": 1,
            }
        ]
    )

    report = lost_pushes_apply(client=get_client())

    assert (report.fetched, report.applied, report.malformed) == (4, 1, 3)
    assert Shop.objects.get(pk=shop.pk).needs_reauth
    malformed = ShopeePush.objects.filter(outcome="malformed").order_by("id")
    assert [row.body["data"] for row in malformed] == [e["data"] for e in entries[1:]]
    assert "whole push message as JSON text" in malformed[0].detail
    assert "not JSON" in malformed[1].detail
    assert "is not its message's" in malformed[2].detail
    assert report.confirmed_up_to == 3
    assert all(p["consumed"] for p in sandbox.control.pushes())


@pytest.mark.parametrize(
    "response",
    [
        {"push_message_list": "oops", "has_next_page": False, "last_message_id": 1},
        {"push_message_list": [{"code": 3}], "has_next_page": False},
    ],
    ids=["list not a list", "no last_message_id"],
)
def test_a_page_we_cannot_read_is_an_error_and_not_confirmed(sandbox, shops, response):
    sandbox.control.send_push(3, {}, shop_id=shops[0].shop_id)
    page = {"request_id": "r1", "error": "", "message": "", "response": response}
    sandbox.control.set_faults(
        [
            {
                "path": GET_LOST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": page,
            }
        ]
    )
    with pytest.raises(ShopeeTransientError, match="malformed"):
        lost_pushes_apply(client=get_client())
    assert not ShopeeCall.objects.filter(endpoint=CONFIRM).exists()
    assert not ShopeePush.objects.exists()


def test_maintain_shops_reports_what_it_could_not_apply(sandbox, shops, monkeypatch, capsys):
    sandbox.control.send_push(2, {"shop_id_list": [shops[0].shop_id], "marker": "boom"})
    fail_on(monkeypatch, "boom")

    with pytest.raises(CommandError, match="problem"):
        call_command("maintain_shops", "--no-sync")

    err = capsys.readouterr().err
    assert "lost push 1 of a page of 1 could not be applied" in err
    assert not sandbox.control.pushes()[0]["consumed"]


def test_maintain_shops_reports_a_malformed_lost_push(sandbox, shops, capsys):
    sandbox.control.send_push(3, {}, shop_id=shops[0].shop_id)
    entries = [{"code": 3, "timestamp": 1_700_000_000, "data": {"not": "a string"}}]
    sandbox.control.set_faults(
        [
            {
                "path": GET_LOST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": lost_page(entries, 1),
                "times": 1,
            }
        ]
    )

    with pytest.raises(CommandError, match="problem"):
        call_command("maintain_shops", "--no-sync")

    assert "1 lost push(es) could not be read; see the push log" in capsys.readouterr().err
    assert sandbox.control.pushes()[0]["consumed"]
    assert ShopeePush.objects.get().outcome == "malformed"
