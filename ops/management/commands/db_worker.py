"""`manage.py db_worker`: django-tasks-db's worker, same options, made to last in production.

This command takes the place of django-tasks-db's `db_worker` (the vouchers app is listed before
django_tasks_db in INSTALLED_APPS for that): it reconnects after a database error with backoff
instead of exiting, marks the task rows it lost as failed, beats for `/health/` by itself, and
names itself `<host>-<pid>` when no `--worker-id` is given. See ops.services.worker.
"""

from django_tasks_db.management.commands import db_worker

from ops.services.worker import ResilientWorker, default_worker_id


class Command(db_worker.Command):
    help = (
        "Run a database background worker that survives database restarts (reconnects with "
        "backoff) and records a heartbeat every 15 seconds."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=default_worker_id())

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # the library's handle() builds the worker by this name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
