"""Retention: pruning old call-log rows, finished runs, finished task rows and rejected pushes.

The call log is append-only (in the admin, and on PostgreSQL in the database too): pruning is
the one way rows leave it, in batches, each in a transaction that says so. Rejected pushes
(`RejectedPush`: anyone can send them) are pruned on every run, after
`PUSH_REJECTED_RETENTION_DAYS` unless told otherwise; the push log of the pushes we took is
never pruned.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ShopeeCall
from audit.models.pushes import RejectedPush
from runs.models import ACTIVE_RUN_STATUSES, EndRun

BATCH = 5000


@dataclass
class PruneCounts:
    calls: int = 0
    runs: int = 0
    tasks: int = 0
    rejected_pushes: int = 0


def prune_candidates(*, calls_before, runs_before, tasks_before, rejected_pushes_before=None):
    """The querysets a prune with these cut-off times would delete (None: keep all)."""
    finished_task = DBTaskResult.objects.exclude(status__in=["READY", "RUNNING"])
    return {
        "calls": ShopeeCall.objects.filter(started_at__lt=calls_before) if calls_before else None,
        "runs": (
            EndRun.objects.filter(created_at__lt=runs_before).exclude(
                status__in=ACTIVE_RUN_STATUSES
            )
            if runs_before
            else None
        ),
        "tasks": finished_task.filter(enqueued_at__lt=tasks_before) if tasks_before else None,
        "rejected_pushes": (
            RejectedPush.objects.filter(received_at__lt=rejected_pushes_before)
            if rejected_pushes_before
            else None
        ),
    }


def prune_count(**cut_offs) -> PruneCounts:
    """What `prune_delete()` would delete: the dry run."""
    found = prune_candidates(**cut_offs)
    return PruneCounts(**{name: qs.count() if qs is not None else 0 for name, qs in found.items()})


def prune_delete(**cut_offs) -> PruneCounts:
    """Delete, in batches of BATCH rows, what `prune_count()` reports."""
    counts = PruneCounts()
    for name, queryset in prune_candidates(**cut_offs).items():
        if queryset is None:
            continue
        while True:
            ids = list(queryset.values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL shopadmin.allow_prune = 'on'")
                deleted, _ = queryset.model.objects.filter(pk__in=ids).delete()
            setattr(counts, name, getattr(counts, name) + len(ids))
    return counts


def days_ago(days: int | None):
    return timezone.now() - dt.timedelta(days=days) if days is not None else None
