"""The move to one app per subject (vouchers 0020 and each new app's first migrations) keeps a
live database whole: a database at the last head before the move (vouchers 0019), filled through
the historical models with every kind of row, the content types and permissions Django had made
for them, a team (group) with its shops' permissions and members, and a queued task, migrates to
the new head with every row in place, readable through the new models; the permissions are
still the group's under the new app labels (`user.has_perm("shops.view_all_shops")`), the teams
still hold their shops, queued tasks still find their function, and on PostgreSQL the call log
and the push log are still append-only.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from audit.models import CallHour, RejectedPush, ShopeeCall, ShopeePush
from dispatch.models import PaceSlot
from jobs.models import ShopJob, ShopJobRow
from notifications.models import NotificationSettings, ShopAlertSent
from ops.models import WorkerHeartbeat
from runs.models import EndRun, EndRunItem, VoucherSelection
from shops.models import Shop, ShopToken
from vouchers.models import Voucher

OLD_HEAD = [("vouchers", "0019_call_hours")]
TASKS_HEAD = [("django_tasks_database", "0021_conditional_partial_index_ordering")]
NEW_APPS = {"audit", "shops", "dispatch", "notifications", "runs", "jobs", "ops"}


def latest_head():
    """The move's head and every migration since: the current models read the rows."""
    return MigrationLoader(connection).graph.leaf_nodes()


# Where each model of the old vouchers app now lives (Voucher stays).
LABELS = {
    "shop": "shops",
    "shoptoken": "shops",
    "shopeecall": "audit",
    "shopeepush": "audit",
    "rejectedpush": "audit",
    "callhour": "audit",
    "endrun": "runs",
    "endrunitem": "runs",
    "voucherselection": "runs",
    "shopjob": "jobs",
    "shopjobrow": "jobs",
    "notificationsettings": "notifications",
    "shopalertsent": "notifications",
    "paceslot": "dispatch",
    "workerheartbeat": "ops",
    "voucher": "vouchers",
}
TEAM_CODENAMES = [
    "view_shop",
    "change_shop",
    "view_voucher",
    "end_voucher",
    "view_shopeecall",
    "view_endrun",
    "view_all_shops",
]

pytestmark = pytest.mark.django_db(transaction=True)


def old_permissions_make(apps):
    """The content types and permissions Django made for the vouchers app before the move
    (post_migrate is muted while migrating here, so they are written as production has them)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for model in LABELS:
        ct = content_type.objects.create(app_label="vouchers", model=model)
        for action in ("add", "change", "delete", "view"):
            permission.objects.create(
                content_type=ct, codename=f"{action}_{model}", name=f"Can {action} {model}"
            )
    shop = content_type.objects.get(app_label="vouchers", model="shop")
    voucher = content_type.objects.get(app_label="vouchers", model="voucher")
    permission.objects.create(content_type=shop, codename="view_all_shops", name="all shops")
    permission.objects.create(content_type=voucher, codename="end_voucher", name="end")


def old_rows_make(apps):
    """One of each kind of row, written through the models as they were at vouchers 0019."""
    now = timezone.now()
    user_model = apps.get_model("auth", "User")
    group_model = apps.get_model("auth", "Group")
    permission = apps.get_model("auth", "Permission")

    def model(name):
        return apps.get_model("vouchers", name)

    member = user_model.objects.create(username="somchai", is_staff=True)
    user_model.objects.create(username="outsider", is_staff=True)
    team = group_model.objects.create(name="Thailand team")
    team.permissions.set(
        permission.objects.filter(content_type__app_label="vouchers", codename__in=TEAM_CODENAMES)
    )
    member.groups.add(team)
    member.user_permissions.add(permission.objects.get(codename="view_shopeepush"))

    shop = model("Shop").objects.create(shop_id=501, name="Bangkok shop", region="TH")
    shop.teams.add(team)
    model("Shop").objects.create(shop_id=502, name="Jakarta shop", region="ID")
    model("ShopToken").objects.create(
        shop=shop,
        access_token="access-501",
        refresh_token="refresh-501",
    )
    vouchers = [
        model("Voucher").objects.create(
            shop=shop,
            voucher_id=9000 + n,
            voucher_code=f"CODE{n}",
            start_time=now - dt.timedelta(days=1),
            end_time=now + dt.timedelta(days=n + 1),
        )
        for n in range(2)
    ]
    selection = model("VoucherSelection").objects.create(created_by=member, description="two")
    selection.vouchers.set(vouchers)
    run = model("EndRun").objects.create(
        created_by=member, created_by_username="somchai", selection="2 vouchers"
    )
    for voucher in vouchers:
        model("EndRunItem").objects.create(
            run=run,
            voucher=voucher,
            shop=shop,
            voucher_shopee_id=voucher.voucher_id,
            original_end_time=voucher.end_time,
        )
    model("ShopeeCall").objects.create(
        started_at=now,
        finished_at=now,
        shop=shop,
        voucher=vouchers[0],
        endpoint="/api/v2/x",
        method="POST",
    )
    model("ShopeePush").objects.create(outcome="applied", shop_shopee_id=501)
    model("RejectedPush").objects.create(reason="signature", http_status=401)
    model("CallHour").objects.create(
        hour=now.replace(minute=0, second=0, microsecond=0), shop_key=501
    )
    model("NotificationSettings").objects.create(user=member)
    model("ShopAlertSent").objects.create(shop=shop, kind="expiring", day=now.date())
    job = model("ShopJob").objects.create(kind="sync", created_by_username="somchai")
    model("ShopJobRow").objects.create(job=job, shop=shop, shop_shopee_id=501)
    model("PaceSlot").objects.create(key="shop:501")
    model("WorkerHeartbeat").objects.create(worker_id="w1")
    apps.get_model("django_tasks_database", "DBTaskResult").objects.create(
        task_path="vouchers.tasks.run_process_task",
        args_kwargs={"args": [run.pk], "kwargs": {}},
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    return {"run": run.pk, "job": job.pk}


def old_head(migrator):
    """The database as the last release left it: vouchers at 0019 (and the task queue's tables),
    none of the new apps' migrations applied."""
    migrator.apply_initial_migration(OLD_HEAD)
    return migrator.apply_tested_migration(OLD_HEAD + TASKS_HEAD)


def test_a_database_at_the_old_head_migrates_whole(migrator):
    old = old_head(migrator)
    applied = MigrationRecorder(connection).applied_migrations()
    assert not any(app in NEW_APPS for app, _ in applied), "the old head has none of the new apps"
    old_permissions_make(old.apps)
    ids = old_rows_make(old.apps)

    migrator.apply_tested_migration(latest_head())

    # Every row is there, read through the new models (same tables).
    counts = {
        Shop: 2,
        ShopToken: 1,
        Voucher: 2,
        VoucherSelection: 1,
        EndRun: 1,
        EndRunItem: 2,
        ShopeeCall: 1,
        ShopeePush: 1,
        RejectedPush: 1,
        CallHour: 1,
        NotificationSettings: 1,
        ShopAlertSent: 1,
        ShopJob: 1,
        ShopJobRow: 1,
        PaceSlot: 1,
        WorkerHeartbeat: 1,
    }
    assert {m.__name__: m.objects.count() for m in counts} == {
        m.__name__: n for m, n in counts.items()
    }
    shop = Shop.objects.get(shop_id=501)
    assert shop.token.access_token == "access-501"  # still decrypts
    assert [v.shop_id for v in Voucher.objects.all()] == [shop.pk, shop.pk]
    run = EndRun.objects.get(pk=ids["run"])
    assert {item.voucher.voucher_code for item in run.items.all()} == {"CODE0", "CODE1"}
    assert VoucherSelection.objects.get().vouchers.count() == 2
    assert ShopeeCall.objects.get().voucher.voucher_code == "CODE0"
    assert ShopJob.objects.get(pk=ids["job"]).rows.get().shop == shop

    # Content types moved with their models: no permission row was lost or duplicated.
    assert not ContentType.objects.filter(app_label="vouchers").exclude(model="voucher").exists()
    for model, label in LABELS.items():
        assert ContentType.objects.filter(app_label=label, model=model).count() == 1, model
    assert Permission.objects.count() == len(LABELS) * 4 + 2 + _other_permissions()

    # The team keeps its shops, members and permissions, under the new labels.
    team = Group.objects.get(name="Thailand team")
    assert list(team.shops.all()) == [shop]
    member = get_user_model().objects.get(username="somchai")
    assert list(member.groups.all()) == [team]
    for perm in (
        "shops.view_shop",
        "shops.change_shop",
        "shops.view_all_shops",
        "vouchers.view_voucher",
        "vouchers.end_voucher",
        "audit.view_shopeecall",
        "audit.view_shopeepush",
        "runs.view_endrun",
    ):
        assert member.has_perm(perm), perm
    assert not member.has_perm("vouchers.view_shop")  # the old label is gone
    outsider = get_user_model().objects.get(username="outsider")
    assert not outsider.has_perm("shops.view_shop")

    # A task queued before the move still finds its function.
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "ops.tasks.run_process_task"
    assert import_string(queued.task_path) is import_string("vouchers.tasks.run_process_task")


def _other_permissions():
    """Permissions of the apps that did not move (auth, admin, sessions...), as migrated here."""
    return Permission.objects.exclude(content_type__app_label__in=set(LABELS.values())).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_the_logs_stay_append_only_after_the_move(migrator):
    old = old_head(migrator)
    old_permissions_make(old.apps)
    old_rows_make(old.apps)
    migrator.apply_tested_migration(latest_head())

    for model, field in ((ShopeeCall, "message"), (ShopeePush, "detail")):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.update(**{field: "edited"})
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.all().delete()
        assert model.objects.count() == 1
