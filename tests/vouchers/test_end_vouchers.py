"""The "End selected vouchers" flow through the admin, against the sandbox over HTTP."""

import time

import pytest
from django.urls import reverse

from audit.models import ShopeeCall
from runs.models import EndRun
from runs.services.create import SKIP_EXPIRED, SKIP_SHOPEE_MANAGED, SKIP_UPCOMING
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.pages import (
    CHANGELIST,
    END_URL,
    ask_to_end,
    confirm,
    finish_runs,
    messages_of,
    text_of,
)
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def two_shops(sandbox):
    """Two connected shops with a mix of vouchers, mirrored into the sandbox."""
    north = ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop
    south = ShopTokenFactory(shop=ShopFactory(name="South", shop_id=7002)).shop
    vouchers = {
        "north_ongoing": VoucherFactory(shop=north),
        "north_ongoing_2": VoucherFactory(shop=north),
        "south_ongoing": VoucherFactory(shop=south),
        "upcoming": VoucherFactory(shop=north, upcoming=True),
        "expired": VoucherFactory(shop=south, expired=True),
        "admin": VoucherFactory(shop=south, is_admin=True),
        "game": VoucherFactory(shop=north, voucher_purpose=4),
        "unknown": VoucherFactory(shop=south),
        "stale_upcoming": VoucherFactory(shop=north),  # ongoing here, upcoming at Shopee
        "stale_admin": VoucherFactory(shop=south),  # Shopee-managed at Shopee only
    }
    now = int(time.time())
    sandbox.mirror(
        missing=[vouchers["unknown"]],
        changes={
            vouchers["stale_upcoming"]: {"start_time": now + 3600},
            vouchers["stale_admin"]: {"is_admin": True},
        },
    )
    return vouchers


def test_confirmation_page_gives_counts_per_shop_and_reasons(merch_client, two_shops):
    response = ask_to_end(merch_client, two_shops.values())

    assert response.status_code == 200
    page = text_of(response)
    assert "6 vouchers will be ended on Shopee" in page
    assert "4 will be skipped" in page
    assert "Ending cannot be undone" in page
    assert SKIP_UPCOMING in page and SKIP_EXPIRED in page and SKIP_SHOPEE_MANAGED in page
    assert "1 × " + SKIP_UPCOMING in page
    plan = response.context["plan"]
    per_shop = {shop.name: (shop.endable, shop.skipped) for shop in plan.shops}
    assert per_shop == {"North": (3, 2), "South": (3, 2)}
    assert not ShopeeCall.objects.exists()  # nothing is sent before confirming


def run_page(client, run):
    return client.get(reverse("admin:runs_endrun_change", args=[run.pk]))


def test_ending_a_mix_across_two_shops(merch_client, merchandiser, two_shops, sandbox):
    confirmation = ask_to_end(merch_client, two_shops.values())
    response = confirm(merch_client, confirmation)

    run = EndRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:runs_endrun_change", args=[run.pk])
    # Upcoming and expired are decided on Shopee's word, when the run has read the shops.
    assert "8 vouchers to check at Shopee and end, 2 skipped" in " ".join(messages_of(response))
    assert run.created_by == merchandiser and run.items.count() == 10
    assert not sandbox.calls(END)  # the worker calls Shopee, not the request

    finish_runs()

    page = text_of(run_page(merch_client, run))
    assert "Status: Finished" in page
    # Our copy was stale for three of them; the run read Shopee first and decided on its word.
    assert "10 of 10 done (100%): 3 ended , 7 skipped, 0 refused by Shopee, 0 failed" in page
    items = {item.voucher_id: item for item in run.items.all()}
    stale_upcoming = items[two_shops["stale_upcoming"].pk]
    assert stale_upcoming.reason.startswith(SKIP_UPCOMING + " (Shopee's list read at ")
    assert items[two_shops["stale_admin"].pk].reason == SKIP_SHOPEE_MANAGED
    assert items[two_shops["unknown"].pk].reason.startswith("Not live at Shopee")
    assert stale_upcoming.reason in page and "Not live at Shopee" in page

    ended = {key for key, v in two_shops.items() if Voucher.objects.get(pk=v.pk).ended_at}
    assert ended == {"north_ongoing", "north_ongoing_2", "south_ongoing"}
    for key in ended:
        voucher = Voucher.objects.get(pk=two_shops[key].pk)
        assert voucher.ended_by == merchandiser
        assert voucher.end_time <= voucher.ended_at
        assert sandbox.voucher(voucher.voucher_id)["end_time"] <= int(time.time())

    sent = {call["request_id"]: call for call in sandbox.calls(END)}
    rows = ShopeeCall.objects.filter(endpoint=END)
    assert rows.count() == len(sent) == 3
    reads = ShopeeCall.objects.filter(endpoint="/api/v2/voucher/get_voucher_list")
    assert {row.request["query"]["status"] for row in reads} == {"ongoing", "upcoming"}
    assert reads.count() == 4  # two lists for each of the two shops, before any end
    assert max(row.id for row in reads) < min(row.id for row in rows)
    for row in [*rows, *reads]:
        assert row.batch_id == run.public_id
        assert row.request_id and row.actor_username == "merch"
        assert row.duration_ms is not None and row.finished_at is not None
    for row in rows:
        assert row.request_id in sent  # Shopee's own request_id
        assert row.outcome == "success"
    assert f"batch_id={run.public_id}" in run_page(merch_client, run).content.decode()


def test_the_action_on_a_single_voucher_page(merch_client, two_shops, sandbox):
    voucher = two_shops["south_ongoing"]
    change_url = reverse("admin:vouchers_voucher_change", args=[voucher.pk])
    page = merch_client.get(change_url)
    assert b"End selected vouchers" in page.content

    confirmation = merch_client.post(
        change_url,
        {
            "CHANGE_FORM-action": "end_selected_vouchers",
            "_selected_action": [voucher.pk],
            "index": 0,
        },
    )
    assert "1 voucher will be ended on Shopee" in text_of(confirmation)
    confirm(merch_client, confirmation)
    finish_runs()

    assert Voucher.objects.get(pk=voucher.pk).ended_at is not None
    assert len(sandbox.calls(END)) == 1


def test_select_all_across_a_filtered_list_posts_filters_not_ids(merch_client, two_shops, sandbox):
    north = two_shops["north_ongoing"].shop
    url = f"{CHANGELIST}?status=ongoing&shop__id__exact={north.pk}"
    confirmation = merch_client.post(
        url,
        {
            "action": "end_selected_vouchers",
            "_selected_action": [two_shops["north_ongoing"].pk],
            "select_across": "1",
            "index": 0,
        },
    )
    html = confirmation.content.decode()
    assert 'name="select_across" value="1"' in html
    assert f'name="_selected_action" value="{two_shops["north_ongoing"].pk}"' not in html
    # ongoing at North: north_ongoing, north_ongoing_2, stale_upcoming (ongoing here), game
    assert "3 vouchers will be ended on Shopee , and 1 will be skipped" in text_of(confirmation)
    confirm(merch_client, confirmation)
    run = EndRun.objects.get()
    assert run.items.count() == 4
    assert "status=ongoing" in run.selection


def test_a_second_run_skips_what_was_already_ended(merch_client, two_shops, sandbox):
    voucher = two_shops["north_ongoing"]
    confirm(merch_client, ask_to_end(merch_client, [voucher]))
    finish_runs()
    again = ask_to_end(merch_client, [voucher])
    assert "Already ended through shopadmin" in text_of(again)
    assert "None of the selected vouchers can be ended" in text_of(again)
    assert len(sandbox.calls(END)) == 1


def test_without_the_permission_the_action_is_neither_shown_nor_runnable(client, viewer, two_shops):
    client.force_login(viewer)
    voucher = two_shops["north_ongoing"]

    changelist = client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert b"end_selected_vouchers" not in changelist.content
    change = client.get(reverse("admin:vouchers_voucher_change", args=[voucher.pk]))
    assert b"end_selected_vouchers" not in change.content

    posted = ask_to_end(client, [voucher])
    assert b"will be ended" not in posted.content
    direct = client.post(END_URL, {"_selected_action": [voucher.pk]})
    assert direct.status_code == 403
    assert Voucher.objects.get(pk=voucher.pk).ended_at is None
    assert not ShopeeCall.objects.exists()


def test_a_shop_without_a_token_fails_for_its_own_vouchers_only(merch_client, sandbox):
    connected = VoucherFactory(shop=ShopTokenFactory().shop)
    orphan = VoucherFactory(shop=ShopFactory(name="Never connected"))
    sandbox.mirror()

    confirm(merch_client, ask_to_end(merch_client, [connected, orphan]))
    finish_runs()

    item = EndRun.objects.get().items.get(voucher=orphan)
    assert item.state == "failed"
    assert "Never connected" in item.reason and "no access token" in item.reason
    assert Voucher.objects.get(pk=connected.pk).ended_at is not None
    assert Voucher.objects.get(pk=orphan.pk).ended_at is None


def test_missing_shopee_settings_are_named_and_nothing_is_sent(merch_client, two_shops, settings):
    settings.SHOPEE_PARTNER_KEY = ""
    confirmation = ask_to_end(merch_client, [two_shops["north_ongoing"]])
    assert "SHOPEE_PARTNER_KEY is not set" in text_of(confirmation)
    assert b'id="confirm-end"' not in confirmation.content

    response = merch_client.post(
        END_URL, {"_selected_action": [two_shops["north_ongoing"].pk]}, follow=True
    )
    assert any("SHOPEE_PARTNER_KEY is not set" in text for text in messages_of(response))
    assert not ShopeeCall.objects.exists()
    assert not EndRun.objects.exists()


def test_a_forged_selection_gets_a_message_not_a_traceback(merch_client, two_shops):
    response = merch_client.post(END_URL, {"_selected_action": ["1; DROP TABLE"]}, follow=True)
    assert response.status_code == 200
    assert any("not valid" in text for text in messages_of(response))
    assert merch_client.get(END_URL).status_code == 405


@pytest.mark.parametrize("term", ["SALE", "5000000000", "99999999999999999999999", "'; --"])
def test_voucher_search_never_fails(merch_client, two_shops, term):
    response = merch_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200


def test_status_filter(merch_client, two_shops):
    response = merch_client.get(CHANGELIST, {"status": "upcoming"})
    assert [v.pk for v in response.context["cl"].result_list] == [two_shops["upcoming"].pk]
