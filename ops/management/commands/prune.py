"""Delete old rows: `manage.py prune --calls-older-than 730 --runs-older-than 180 --yes`.

Without --yes it only says what it would delete (the dry run comes first). Rejected pushes are
pruned on every run, after PUSH_REJECTED_RETENTION_DAYS (or --rejected-pushes-older-than).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.services.retention import days_ago, prune_count, prune_delete
from ops.services.worker import tasks_left_running, tasks_mark_lost


class Command(BaseCommand):
    help = (
        "Prune call-log rows, finished runs and finished task rows older than given ages, and "
        "rejected pushes older than PUSH_REJECTED_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calls-older-than", type=int, metavar="DAYS")
        parser.add_argument("--runs-older-than", type=int, metavar="DAYS")
        parser.add_argument("--tasks-older-than", type=int, metavar="DAYS")
        parser.add_argument(
            "--rejected-pushes-older-than",
            type=int,
            metavar="DAYS",
            help="default: PUSH_REJECTED_RETENTION_DAYS",
        )
        parser.add_argument("--yes", action="store_true", help="delete (default: dry run)")

    def handle(self, *args, calls_older_than, runs_older_than, tasks_older_than, yes, **options):
        rejected_older_than = options["rejected_pushes_older_than"]
        if rejected_older_than is None:
            rejected_older_than = settings.PUSH_REJECTED_RETENTION_DAYS
        ages = [calls_older_than, runs_older_than, tasks_older_than, rejected_older_than]
        if any(age is not None and age < 1 for age in ages):
            raise CommandError("Ages are whole days, 1 or more.")
        cut_offs = {
            "calls_before": days_ago(calls_older_than),
            "runs_before": days_ago(runs_older_than),
            "tasks_before": days_ago(tasks_older_than),
            "rejected_pushes_before": days_ago(rejected_older_than),
        }
        if tasks_older_than is not None:
            # Task rows left RUNNING by a worker that is gone (see ops.services.worker).
            lost = tasks_left_running()
            if yes:
                tasks_mark_lost(ids=lost, why="its worker is gone (no heartbeat); found by prune")
            self.stdout.write(
                f"{'Marked' if yes else 'Would mark'} as failed: {len(lost)} task row(s) left "
                "running by a worker that is gone."
            )
        counts = prune_delete(**cut_offs) if yes else prune_count(**cut_offs)
        verb = "Deleted" if yes else "Would delete (dry run; add --yes to delete)"
        self.stdout.write(
            f"{verb}: {counts.calls} call-log row(s), {counts.runs} finished run(s), "
            f"{counts.tasks} finished task row(s), {counts.rejected_pushes} rejected push(es) "
            f"(older than {rejected_older_than} days)."
        )
