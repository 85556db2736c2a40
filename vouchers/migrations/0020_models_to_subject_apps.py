"""Models move to one app per subject (README: Architecture); their tables keep their names.

State only: each new app's 0001 declares its models on the tables the vouchers app made, and this
migration forgets them here. The content types are renamed (app_label 'vouchers' -> the new app)
so that permissions, the groups (teams) holding them and the admin's log stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {
    'shops': ['shop', 'shoptoken'],
    'audit': ['shopeecall', 'shopeepush', 'rejectedpush', 'callhour'],
    'runs': ['endrun', 'endrunitem', 'voucherselection'],
    'jobs': ['shopjob', 'shopjobrow'],
    'notifications': ['notificationsettings', 'shopalertsent'],
    'dispatch': ['paceslot'],
    'ops': ['workerheartbeat'],
}


def content_types_move(apps, schema_editor, *, forward=True):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    for app_label, models in MOVED.items():
        old, new = ('vouchers', app_label) if forward else (app_label, 'vouchers')
        for model in models:
            # A content type already made under the new label (a database migrated before by
            # hand) keeps its place; the old one, holding the permissions, is renamed otherwise.
            if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
                continue
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def content_types_back(apps, schema_editor):
    content_types_move(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ('shops', '0001_initial'),
        ('vouchers', '0019_call_hours'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('audit', '0002_initial'),
        ('dispatch', '0001_initial'),
        ('jobs', '0002_initial'),
        ('notifications', '0002_initial'),
        ('ops', '0001_initial'),
        ('runs', '0002_initial'),
    ]

    # State only: the tables stay where the vouchers app made them (db_table), so no row moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='callhour',
                    name='callhour_unique',
                ),
                migrations.DeleteModel(
                    name='CallHour',
                ),
                migrations.RemoveIndex(
                    model_name='endrun',
                    name='run_status_idx',
                ),
                migrations.RemoveIndex(
                    model_name='endrunitem',
                    name='runitem_state_idx',
                ),
                migrations.RemoveIndex(
                    model_name='endrunitem',
                    name='runitem_shop_idx',
                ),
                migrations.RemoveField(
                    model_name='notificationsettings',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='PaceSlot',
                ),
                migrations.DeleteModel(
                    name='RejectedPush',
                ),
                migrations.RemoveField(
                    model_name='shop',
                    name='teams',
                ),
                migrations.AlterField(
                    model_name='voucher',
                    name='shop',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vouchers', to='shops.shop'),
                ),
                migrations.RemoveField(
                    model_name='shoptoken',
                    name='shop',
                ),
                migrations.RemoveConstraint(
                    model_name='shopalertsent',
                    name='shop_alert_once_a_day',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_recent_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_outcome_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_error_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_shop_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_actor_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_request_id_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_voucher_id_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_batch_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_shop_id_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeecall',
                    name='call_hourly_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeepush',
                    name='push_shop_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopeepush',
                    name='push_outcome_idx',
                ),
                migrations.DeleteModel(
                    name='ShopeePush',
                ),
                migrations.RemoveIndex(
                    model_name='shopjob',
                    name='shopjob_status_idx',
                ),
                migrations.RemoveIndex(
                    model_name='shopjobrow',
                    name='shopjobrow_state_idx',
                ),
                migrations.RemoveField(
                    model_name='voucherselection',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='voucherselection',
                    name='vouchers',
                ),
                migrations.DeleteModel(
                    name='WorkerHeartbeat',
                ),
                migrations.RemoveField(
                    model_name='endrun',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='endrunitem',
                    name='run',
                ),
                migrations.RemoveField(
                    model_name='endrunitem',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='endrunitem',
                    name='voucher',
                ),
                migrations.DeleteModel(
                    name='NotificationSettings',
                ),
                migrations.DeleteModel(
                    name='ShopToken',
                ),
                migrations.RemoveField(
                    model_name='shopalertsent',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='shopeecall',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='shopeecall',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='shopeecall',
                    name='voucher',
                ),
                migrations.RemoveField(
                    model_name='shopjob',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='shopjobrow',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='shopjobrow',
                    name='shop',
                ),
                migrations.DeleteModel(
                    name='VoucherSelection',
                ),
                migrations.DeleteModel(
                    name='EndRun',
                ),
                migrations.DeleteModel(
                    name='EndRunItem',
                ),
                migrations.DeleteModel(
                    name='ShopAlertSent',
                ),
                migrations.DeleteModel(
                    name='ShopeeCall',
                ),
                migrations.DeleteModel(
                    name='ShopJob',
                ),
                migrations.DeleteModel(
                    name='Shop',
                ),
                migrations.DeleteModel(
                    name='ShopJobRow',
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
