"""The call log cannot be changed or deleted, in the admin or (PostgreSQL) in the database;
`manage.py prune` is the one way old rows leave it, after a dry run. Rejected pushes are pruned
after PUSH_REJECTED_RETENTION_DAYS; the push log of pushes we took never is."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import ShopeeCall, ShopeePush
from audit.models.pushes import RejectedPush
from runs.models import EndRun
from tests.factories import ShopFactory, UserFactory, VoucherFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers are installed on PostgreSQL"
)


def make_call(days_ago=0, finished=True, **fields):
    started = timezone.now() - dt.timedelta(days=days_ago)
    return ShopeeCall.objects.create(
        started_at=started,
        finished_at=started if finished else None,
        endpoint="/api/v2/voucher/end_voucher",
        method="POST",
        outcome="success" if finished else "pending",
        request_id=uuid.uuid4().hex,
        **fields,
    )


def run_sql(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgres_only
def test_the_database_refuses_to_change_or_delete_a_completed_row():
    call = make_call()
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("UPDATE vouchers_shopeecall SET message = 'edited' WHERE id = %s", [call.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("DELETE FROM vouchers_shopeecall WHERE id = %s", [call.pk])
    call.refresh_from_db()
    assert call.message == ""


@postgres_only
def test_the_database_lets_a_pending_row_be_completed_and_links_be_cleared():
    shop = ShopFactory()
    voucher = VoucherFactory(shop=shop)
    user = UserFactory()
    pending = make_call(finished=False, shop=shop, voucher=voucher, actor=user)
    ShopeeCall.objects.filter(pk=pending.pk).update(outcome="success", finished_at=timezone.now())
    voucher.delete()
    shop.delete()
    user.delete()
    pending.refresh_from_db()
    assert (pending.outcome, pending.shop, pending.voucher, pending.actor) == (
        "success",
        None,
        None,
        None,
    )


def test_prune_says_what_it_would_delete_first_then_deletes(capsys):
    old, recent = make_call(days_ago=400), make_call(days_ago=10)
    user = UserFactory()
    old_run = EndRun.objects.create(
        created_by=user, created_by_username="u", selection="s", status="finished"
    )
    EndRun.objects.filter(pk=old_run.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    active = EndRun.objects.create(
        created_by=user, created_by_username="u", selection="s", status="running"
    )
    EndRun.objects.filter(pk=active.pk).update(created_at=timezone.now() - dt.timedelta(days=200))

    call_command("prune", "--calls-older-than", "365", "--runs-older-than", "90")
    assert "Would delete (dry run; add --yes to delete): 1 call-log row(s), 1 finished run(s)" in (
        capsys.readouterr().out
    )
    assert ShopeeCall.objects.count() == 2

    call_command("prune", "--calls-older-than", "365", "--runs-older-than", "90", "--yes")
    assert "Deleted: 1 call-log row(s), 1 finished run(s)" in capsys.readouterr().out
    assert list(ShopeeCall.objects.all()) == [recent]
    assert not ShopeeCall.objects.filter(pk=old.pk).exists()
    assert list(EndRun.objects.all()) == [active]  # an active run is never pruned


def test_ages_are_whole_days():
    with pytest.raises(CommandError, match="whole days"):
        call_command("prune", "--calls-older-than", "0")
    with pytest.raises(CommandError, match="whole days"):
        call_command("prune", "--rejected-pushes-older-than", "0")


def make_rejected(days_ago):
    return RejectedPush.objects.create(
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        remote_addr="203.0.113.9",
        reason="signature",
        http_status=401,
        detail="No Authorization header.",
        body_size=65536,
        body_sha256="ab" * 32,
        body_prefix='{"code": 2',
    )


def make_taken_push(days_ago):
    push = ShopeePush.objects.create(
        outcome="applied", code=2, signature_valid=True, detail="flagged", fingerprint="f" * 64
    )
    received = timezone.now() - dt.timedelta(days=days_ago)
    if connection.vendor != "postgresql":  # the trigger refuses even this on PostgreSQL
        ShopeePush.objects.filter(pk=push.pk).update(received_at=received)
    return push


def test_prune_deletes_rejected_pushes_after_the_window_and_never_taken_ones(capsys, settings):
    old, recent = make_rejected(days_ago=31), make_rejected(days_ago=29)
    taken = make_taken_push(days_ago=400)

    call_command("prune")  # the window alone: PUSH_REJECTED_RETENTION_DAYS, 30 by default
    out = capsys.readouterr().out
    assert "Would delete (dry run; add --yes to delete): 0 call-log row(s)" in out
    assert "1 rejected push(es) (older than 30 days)" in out
    assert RejectedPush.objects.count() == 2

    call_command("prune", "--calls-older-than", "365", "--yes")
    assert "Deleted: 0 call-log row(s), 0 finished run(s), 0 finished task row(s), 1 rejected" in (
        capsys.readouterr().out
    )
    assert list(RejectedPush.objects.all()) == [recent]
    assert not RejectedPush.objects.filter(pk=old.pk).exists()

    settings.PUSH_REJECTED_RETENTION_DAYS = 7
    call_command("prune", "--yes")
    assert "1 rejected push(es) (older than 7 days)" in capsys.readouterr().out
    call_command("prune", "--yes", "--rejected-pushes-older-than", "1")
    assert not RejectedPush.objects.exists()
    assert list(ShopeePush.objects.all()) == [taken]  # the push log is never pruned


@postgres_only
def test_the_push_log_stays_undeletable_even_while_pruning():
    push = make_taken_push(days_ago=0)
    make_rejected(days_ago=100)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL shopadmin.allow_prune = 'on'")
            cursor.execute("DELETE FROM vouchers_shopeepush WHERE id = %s", [push.pk])
    call_command("prune", "--yes")
    assert list(ShopeePush.objects.all()) == [push]
    assert not RejectedPush.objects.exists()
