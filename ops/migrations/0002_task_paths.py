"""Queued tasks name the module that held them: rows queued before the move say
`vouchers.tasks.<task>`; they now say `ops.tasks.<task>` (vouchers/tasks.py still answers for
rows a process running the old code queues during the deploy)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "vouchers.tasks.", "ops.tasks."


def task_paths_rename(apps, schema_editor, *, old=OLD, new=NEW):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    rows = DBTaskResult.objects.using(schema_editor.connection.alias)
    rows.filter(task_path__startswith=old).update(
        task_path=Concat(Value(new), Substr("task_path", len(old) + 1))
    )


def task_paths_back(apps, schema_editor):
    task_paths_rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(task_paths_rename, task_paths_back)]
