"""Runs decide on Shopee's current word, delete upcoming vouchers, and set ends at Shopee."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from runs.models import EndRun
from runs.services.engine import run_process
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import ask_to_end, finish_runs, messages_of, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"
DELETE = "/api/v2/voucher/delete_voucher"
UPDATE = "/api/v2/voucher/update_voucher"
LIST = "/api/v2/voucher/get_voucher_list"
DAY = 86400


@pytest.fixture
def shop(sandbox):
    return ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop


def unix(moment):
    return int(moment.timestamp())


def item_of(run, voucher):
    return run.items.get(voucher=voucher)


def run_page(client, run):
    return text_of(client.get(reverse("admin:runs_endrun_change", args=[run.pk])))


def confirm_with(client, confirmation, **fields):
    """Post the confirmation form with `fields` set, as ticking its options does."""
    html = confirmation.content.decode()
    action, body = re.search(
        r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S
    ).groups()
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body):
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value.replace("&amp;", "&"))
    data.update(fields)
    return client.post(action, data, follow=True)


def test_the_confirmation_page_says_shopee_is_read_first(merch_client, shop, sandbox):
    voucher = VoucherFactory(shop=shop)
    shop.__class__.objects.filter(pk=shop.pk).update(
        vouchers_synced_at=timezone.now() - dt.timedelta(hours=3)
    )
    page = text_of(ask_to_end(merch_client, [voucher]))
    assert (
        "Before anything is sent, shopadmin reads each shop's current ongoing and upcoming" in page
    )
    assert re.search(r"North 7001 1 0 .* \(3 hours ago\)", page)


def test_a_voucher_extended_in_seller_centre_is_ended_not_skipped(merch_client, shop, sandbox):
    voucher = VoucherFactory(shop=shop, expired=True)  # our copy: it ended yesterday
    sandbox.mirror(changes={voucher: {"end_time": unix(timezone.now()) + 7 * DAY}})

    confirmation = ask_to_end(merch_client, [voucher])
    assert "Expired" in text_of(confirmation)  # what our stale copy says
    confirm_with(merch_client, confirmation)
    finish_runs()

    run = EndRun.objects.get()
    assert item_of(run, voucher).state == "ended"
    assert Voucher.objects.get(pk=voucher.pk).ended_at is not None
    assert sandbox.voucher(voucher.voucher_id)["end_time"] <= unix(timezone.now())


def test_a_voucher_whose_start_moved_earlier_is_ended(merch_client, shop, sandbox):
    voucher = VoucherFactory(shop=shop, upcoming=True)
    sandbox.mirror(changes={voucher: {"start_time": unix(timezone.now()) - 60}})

    confirm_with(merch_client, ask_to_end(merch_client, [voucher]))
    finish_runs()

    assert item_of(EndRun.objects.get(), voucher).state == "ended"
    assert len(sandbox.calls(END)) == 1


def test_a_voucher_ended_in_seller_centre_is_skipped_on_shopees_word(merch_client, shop, sandbox):
    voucher = VoucherFactory(shop=shop)
    sandbox.mirror(changes={voucher: {"end_time": unix(timezone.now()) - 60}})

    confirm_with(merch_client, ask_to_end(merch_client, [voucher]))
    finish_runs()

    item = item_of(EndRun.objects.get(), voucher)
    assert item.state == "skipped" and item.reason.startswith("Not live at Shopee")
    assert item.read_at is not None and not sandbox.calls(END)


@pytest.fixture
def deleter(db):
    return UserFactory(
        username="deleter", permissions=[*MERCHANDISER_PERMISSIONS, "vouchers.delete_voucher"]
    )


def test_upcoming_vouchers_are_deleted_with_the_option(client, deleter, shop, sandbox):
    client.force_login(deleter)
    ongoing = VoucherFactory(shop=shop)
    upcoming = VoucherFactory(shop=shop, upcoming=True)
    managed = VoucherFactory(shop=shop, upcoming=True, voucher_purpose=4)
    sandbox.mirror()

    confirmation = ask_to_end(client, [ongoing, upcoming, managed])
    assert "Also delete the upcoming vouchers (1 upcoming in the selection" in text_of(confirmation)
    response = confirm_with(client, confirmation, delete_upcoming="on")
    assert "to check at Shopee and end or delete" in " ".join(messages_of(response))
    finish_runs()

    run = EndRun.objects.get()
    assert run.delete_upcoming
    assert item_of(run, ongoing).state == "ended"
    deleted = item_of(run, upcoming)
    assert (deleted.state, deleted.action) == ("deleted", "delete")
    assert sandbox.voucher(upcoming.voucher_id) is None  # gone at Shopee
    record = Voucher.objects.get(pk=upcoming.pk)
    assert record.deleted_at is not None and record.deleted_by == deleter
    assert item_of(run, managed).state == "skipped"  # Shopee refuses it: no call
    assert [call["body"]["voucher_id"] for call in sandbox.calls(DELETE)] == [upcoming.voucher_id]
    row = ShopeeCall.objects.get(endpoint=DELETE)
    assert row.outcome == "success" and row.actor_username == "deleter"
    assert "1 deleted" in run_page(client, run)


def test_without_the_delete_permission_nothing_is_deleted(merch_client, shop, sandbox):
    upcoming = VoucherFactory(shop=shop, upcoming=True)
    sandbox.mirror()

    confirmation = ask_to_end(merch_client, [upcoming])
    assert "Also delete the upcoming vouchers" not in text_of(confirmation)
    forged = confirm_with(merch_client, confirmation, delete_upcoming="on")

    assert forged.status_code == 403
    assert not EndRun.objects.exists() and not sandbox.calls(DELETE)


def test_a_shop_that_cannot_be_read_fails_its_vouchers(merch_client, shop, sandbox):
    other = ShopTokenFactory(shop=ShopFactory(name="South", shop_id=7002)).shop
    north, south = VoucherFactory(shop=shop), VoucherFactory(shop=other)
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": LIST, "shop_id": other.shop_id, "kind": "http_status", "status": 502}]
    )

    confirm_with(merch_client, ask_to_end(merch_client, [north, south]))
    finish_runs()

    run = EndRun.objects.get()
    assert item_of(run, north).state == "ended"
    failed = item_of(run, south)
    assert failed.state == "failed" and "could not be read" in failed.reason
    assert [call["shop_id"] for call in sandbox.calls(END)] == [shop.shop_id]
    page = run_page(merch_client, run)
    assert "Could not read South (7002) at Shopee" in page


def test_the_end_time_is_set_at_shopee_where_shopee_allows_it(merch_client, shop, sandbox):
    target = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    started = VoucherFactory(shop=shop)  # started yesterday, ends in a week
    starts_late = VoucherFactory(
        shop=shop,
        start_time=target - dt.timedelta(minutes=30),
        end_time=target + dt.timedelta(days=9),
    )
    ends_sooner = VoucherFactory(shop=shop, end_time=target - dt.timedelta(hours=5))
    sandbox.mirror()

    local = timezone.localtime(target).strftime("%Y-%m-%dT%H:%M")
    response = confirm_with(
        merch_client,
        ask_to_end(merch_client, [started, starts_late, ends_sooner]),
        end_at=local,
        end_at_shopee="on",
    )
    assert "setting the end time" in " ".join(messages_of(response))
    run = EndRun.objects.get()
    while EndRun.objects.get(pk=run.pk).active:  # the follow-up run waits for its time
        run_process(run_id=run.pk)

    run.refresh_from_db()
    assert run.shopee_end_time == target and run.end_at is None
    item = item_of(run, started)
    assert (item.action, item.state) == ("set_end", "rescheduled")
    assert sandbox.voucher(started.voucher_id)["end_time"] == unix(target)
    assert Voucher.objects.get(pk=started.pk).end_time == target
    assert [call["body"] for call in sandbox.calls(UPDATE)] == [
        {"voucher_id": started.voucher_id, "end_time": unix(target)}
    ]
    assert item_of(run, ends_sooner).state == "skipped"
    # Shopee needs an hour between start and end: ended by our own scheduler at that time.
    follow_up = EndRun.objects.exclude(pk=run.pk).get()
    assert follow_up.status == "scheduled" and follow_up.end_at == target
    assert item_of(follow_up, starts_late).action == "end"
    assert not sandbox.calls(END)


def test_deleting_and_setting_the_end_at_shopee_together(client, deleter, shop, sandbox):
    client.force_login(deleter)
    target = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    ongoing = VoucherFactory(shop=shop)
    upcoming = VoucherFactory(shop=shop, upcoming=True)
    sandbox.mirror()

    confirm_with(
        client,
        ask_to_end(client, [ongoing, upcoming]),
        end_at=timezone.localtime(target).strftime("%Y-%m-%dT%H:%M"),
        end_at_shopee="on",
        delete_upcoming="on",
    )
    run = EndRun.objects.get()
    while EndRun.objects.get(pk=run.pk).active:
        run_process(run_id=run.pk)

    assert (item_of(run, ongoing).action, item_of(run, ongoing).state) == ("set_end", "rescheduled")
    assert (item_of(run, upcoming).action, item_of(run, upcoming).state) == ("delete", "deleted")
    assert sandbox.voucher(upcoming.voucher_id) is None
