"""Mails over real SMTP (aiosmtpd on loopback): a run's outcome to its creator, shop alerts to
the shop's team, each user's choice to turn them off, and mail failures that break nothing.

The tests commit for real (transactional), so mails go out on commit as in production."""

import datetime as dt
import logging
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from notifications.models import NotificationSettings, ShopAlertSent
from notifications.services.notify import shop_alerts_send, shop_recipients
from ops.services.maintenance import shops_maintain
from runs.models import EndRun, RunStatus
from runs.services.control import run_cancel
from runs.services.create import run_create
from shops.models import Shop, ShopToken
from shops.services.shops import shop_mark_needs_reauth
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.pages import finish_runs
from tests.smtp import smtp, smtp_down  # noqa: F401 - fixtures
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db(transaction=True)

END = "/api/v2/voucher/end_voucher"
BASE = "https://admin.example.com"


@pytest.fixture
def user(db):
    return UserFactory(username="maria", email="maria@example.com")


def run_page(run):
    return f"{BASE}/admin/runs/endrun/{run.pk}/change/"


def test_a_finished_run_mails_its_creator_the_counts_and_link(sandbox, smtp, user):  # noqa: F811
    shop = ShopTokenFactory().shop
    VoucherFactory.create_batch(3, shop=shop)
    VoucherFactory(shop=shop, upcoming=True)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="4 vouchers")
    assert smtp.mails == []  # nothing until the run ends

    finish_runs()

    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    [mail] = smtp.mails
    assert mail.recipients == ["maria@example.com"]
    assert mail.sender == "shopadmin@admin.example.com"
    assert mail.subject == f"Run {run.pk} finished: 3 ended, 1 skipped"
    for line in ["Ended: 3", "Deleted: 0", "End set at Shopee: 0", "Skipped: 1"]:
        assert line in mail.body
    assert "Refused: 0" in mail.body and "Failed: 0" in mail.body
    assert "Canceled:" not in mail.body and "Not done:" not in mail.body
    assert "Selection: 4 vouchers" in mail.body
    assert f"The run's page: {run_page(run)}" in mail.body
    assert f"Turn these mails off: {BASE}/admin/notifications/" in mail.body
    token = ShopToken.objects.get(shop=shop)
    assert token.access_token not in mail.raw and token.refresh_token not in mail.raw


def test_failed_and_refused_items_are_counted_and_listed(sandbox, smtp, user, settings):  # noqa: F811
    settings.END_RUN_MAX_ATTEMPTS = 1
    refusing, failing = ShopTokenFactory().shop, ShopTokenFactory().shop
    refused = VoucherFactory.create_batch(2, shop=refusing)
    VoucherFactory.create_batch(2, shop=failing)
    sandbox.mirror()
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "shop_id": refusing.shop_id,
                "kind": "shopee_error",
                "error": "voucher.operate_voucher_permission_error",
                "message": "The Voucher created in Shopee admin can't be updated",
            },
            {"path": END, "shop_id": failing.shop_id, "kind": "http_status", "times": 1},
        ]
    )
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    finish_runs()

    [mail] = smtp.to("maria@example.com")
    assert mail.subject == f"Run {run.pk} finished: 1 ended, 2 refused, 1 failed"
    assert "Refused: 2" in mail.body and "Failed: 1" in mail.body and "Ended: 1" in mail.body
    assert "Refused or failed (3 of 3 listed):" in mail.body
    for voucher in refused:
        assert f"- {voucher.voucher_code} ({refusing.name}), Refused by Shopee: " in mail.body
    assert "can't be updated" in mail.body
    assert "retried from the run's page" in mail.body
    assert run_page(run) in mail.body


def test_a_stopped_run_says_why_once(sandbox, smtp, user, settings):  # noqa: F811
    VoucherFactory.create_batch(4, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    settings.SHOPEE_PARTNER_KEY = "wrong-key"
    finish_runs()

    assert EndRun.objects.get(pk=run.pk).status == RunStatus.STOPPED
    [mail] = smtp.mails  # each request in flight stops the run again: still one mail
    assert mail.subject == f"Run {run.pk} stopped: 4 not done"
    assert "Not done: 4" in mail.body
    assert "Why it stopped: Shopee refused our configuration" in mail.body
    assert "Wrong sign." in mail.body
    assert "wrong-key" not in mail.raw
    assert run_page(run) in mail.body


def test_a_canceled_run_mails_once(sandbox, smtp, user):  # noqa: F811
    VoucherFactory.create_batch(5, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    assert run_cancel(run=run) == 5
    finish_runs()
    assert run_cancel(run=run) == 0

    [mail] = smtp.mails
    assert mail.subject == f"Run {run.pk} canceled: 5 canceled"
    assert "Canceled: 5" in mail.body


def test_a_user_who_turned_run_mails_off_gets_none(sandbox, smtp, user):  # noqa: F811
    NotificationSettings.objects.create(user=user, runs=False)
    VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run_create(vouchers=Voucher.objects.all(), actor=user, selection="one")
    finish_runs()
    assert smtp.mails == []


def test_a_creator_without_email_gets_none(sandbox, smtp):  # noqa: F811
    nobody = UserFactory(username="noemail", email="")
    VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=nobody, selection="one")
    finish_runs()
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    assert smtp.mails == []


def test_smtp_down_the_run_still_finishes(sandbox, smtp_down, user, caplog):  # noqa: F811
    vouchers = VoucherFactory.create_batch(2, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="two")
    with caplog.at_level(logging.WARNING, logger="notifications.services.notify"):
        finish_runs()
    assert EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED
    assert Voucher.objects.filter(pk__in=[v.pk for v in vouchers], ended_at__isnull=False).count()
    assert f"Could not send the mail of run {run.pk} (1 mails): ConnectionRefusedError" in (
        caplog.text
    )
    assert "maria@example.com" not in caplog.text


# Shop alerts -----------------------------------------------------------------------------------


@pytest.fixture
def admins(db):
    """Two superusers (the recipients until shops have teams) and staff who are not."""
    first = UserFactory(username="ana", email="ana@example.com", is_superuser=True)
    second = UserFactory(username="ben", email="ben@example.com", is_superuser=True)
    UserFactory(username="staff", email="staff@example.com")
    UserFactory(username="gone", email="gone@example.com", is_superuser=True, is_active=False)
    mute = UserFactory(username="mute", email="mute@example.com", is_superuser=True)
    NotificationSettings.objects.create(user=mute, shop_alerts=False)
    return [first, second]


def test_a_shop_needing_reauthorization_is_told_once_a_day(smtp, admins):  # noqa: F811
    shop = ShopFactory(name="Brand SG", shop_id=990001)
    shop_mark_needs_reauth(shop=shop, reason="error_auth: refresh token expired")
    # A fixed clock: cron's two runs 15 minutes apart must fall on one day whenever the test
    # runs (timezone.now() between 23:45 and midnight put the second run on the next day).
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)

    shop_alerts_send(now=now)
    shop_alerts_send(now=now + dt.timedelta(minutes=15))  # cron's next run, the same day

    mails = smtp.mails
    assert sorted(r for mail in mails for r in mail.recipients) == [
        "ana@example.com",
        "ben@example.com",
    ]
    assert {mail.subject for mail in mails} == {"Shop Brand SG (990001, SG) needs re-authorization"}
    body = mails[0].body
    assert "Why: error_auth: refresh token expired" in body
    assert f"{BASE}/admin/shops/shop/" in body
    assert f"{BASE}/admin/shops/shop/{shop.pk}/change/" in body
    assert f"Turn these mails off: {BASE}/admin/notifications/" in body

    report = shop_alerts_send(now=now + dt.timedelta(days=1))
    assert len(smtp.mails) == 4
    assert [(s.pk, kind, n) for s, kind, n in report.sent] == [(shop.pk, "needs_reauth", 2)]
    assert ShopAlertSent.objects.filter(shop=shop).count() == 2


def test_several_workers_at_once_send_a_shop_alert_once(smtp, admins):  # noqa: F811
    shop_mark_needs_reauth(shop=ShopFactory(shop_id=990010), reason="banned")
    start = threading.Barrier(4)
    errors = []

    def worker():
        try:
            start.wait()
            shop_alerts_send()
        except Exception as error:  # any: reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(r for mail in smtp.mails for r in mail.recipients) == [
        "ana@example.com",
        "ben@example.com",
    ]
    assert ShopAlertSent.objects.count() == 1


def test_an_authorization_ending_within_7_days_is_told(smtp, admins):  # noqa: F811
    now = timezone.now()
    soon = ShopFactory(
        name="Soon", shop_id=990002, authorization_expires_at=now + dt.timedelta(days=3, hours=1)
    )
    ShopFactory(name="Later", shop_id=990003, authorization_expires_at=now + dt.timedelta(days=10))
    pushed = ShopFactory(name="Pushed", shop_id=990004, authorization_expiry_notice_at=now)
    flagged = ShopFactory(name="Flagged", shop_id=990005, authorization_expires_at=now)
    shop_mark_needs_reauth(shop=flagged, reason="authorization ended")

    shop_alerts_send(now=now)
    shop_alerts_send(now=now)

    subjects = sorted({mail.subject for mail in smtp.mails})
    assert subjects == [
        "Shop Flagged (990005, SG) needs re-authorization",
        "Shop Pushed (990004, SG): the seller's authorization ends soon",
        "Shop Soon (990002, SG): the seller's authorization ends in 3 days",
    ]
    assert len(smtp.mails) == 6  # three alerts, two superusers each
    [mail, _] = [m for m in smtp.mails if "Soon" in m.subject]
    assert "ends in 3 days, on " in mail.body
    assert "Reconnect" in mail.body
    assert f"{BASE}/admin/shops/shop/{soon.pk}/change/" in mail.body
    assert {a.shop_id for a in ShopAlertSent.objects.filter(kind="expiring")} == {
        soon.pk,
        pushed.pk,
    }


def test_maintain_shops_sends_the_days_alerts(sandbox, smtp, admins):  # noqa: F811
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    ends = timezone.now() + dt.timedelta(days=2, hours=1)
    sandbox.control.update_shop(shop.shop_id, auth_expire_time=int(ends.timestamp()))
    shops_maintain(refresh_within=dt.timedelta(hours=1), sync=False)
    shops_maintain(refresh_within=dt.timedelta(hours=1), sync=False)
    # Shopee's list gave the authorization's end; the two superusers are told once.
    assert Shop.objects.get(pk=shop.pk).authorization_expires_at is not None
    assert len(smtp.mails) == 2
    assert {mail.subject for mail in smtp.mails} == {
        f"Shop {shop.name} ({shop.shop_id}, SG): the seller's authorization ends in 2 days"
    }


def test_smtp_down_a_shop_alert_is_tried_again(smtp_down, admins, settings, caplog):  # noqa: F811
    shop = ShopFactory(name="Brand SG", shop_id=990006)
    shop_mark_needs_reauth(shop=shop, reason="banned")
    report = shop_alerts_send()
    assert report.failed == [(shop, "needs_reauth")]
    assert not ShopAlertSent.objects.exists()  # not claimed: the next call tries again
    assert "Could not send the needs_reauth alert of shop" in caplog.text


def test_a_shop_of_no_team_is_told_to_the_superusers(admins):
    assert shop_recipients(ShopFactory()) == admins


def test_a_shop_of_a_team_is_told_to_its_members(admins):
    team = Group.objects.create(name="Brand SG team")
    other = Group.objects.create(name="Brand MY team")
    member = UserFactory(username="tom", email="tom@example.com")
    muted = UserFactory(username="mia", email="mia@example.com")
    NotificationSettings.objects.create(user=muted, shop_alerts=False)
    UserFactory(username="noemail", email="").groups.add(team)
    UserFactory(username="otto", email="otto@example.com").groups.add(other)
    for user in (member, muted, admins[0]):
        user.groups.add(team)
    admins[0].groups.add(other)
    shop = ShopFactory()
    shop.teams.add(team)
    assert shop_recipients(shop) == [admins[0], member]  # the other superuser is not told


def test_a_team_member_who_turned_alerts_off_is_not_told(smtp, admins):  # noqa: F811
    team = Group.objects.create(name="Brand SG team")
    member = UserFactory(username="tom", email="tom@example.com")
    member.groups.add(team)
    NotificationSettings.objects.create(user=member, shop_alerts=False)
    shop = ShopFactory(name="Brand SG", shop_id=990007)
    shop.teams.add(team)
    shop_mark_needs_reauth(shop=shop, reason="banned")
    report = shop_alerts_send()
    assert smtp.mails == [] and report.sent == []
    assert not ShopAlertSent.objects.exists()  # nobody to tell: nothing claimed for the day
