"""The call log cannot be changed or deleted, in the admin or (PostgreSQL) in the database;
`manage.py prune` is the one way old rows leave it, after a dry run."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.factories import ShopFactory, UserFactory, VoucherFactory
from vouchers.models import EndRun, ShopeeCall

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


def test_prune_needs_an_age():
    with pytest.raises(CommandError, match="Say what to prune"):
        call_command("prune")
    with pytest.raises(CommandError, match="whole days"):
        call_command("prune", "--calls-older-than", "0")
