"""The tasks' old import paths: queued rows of django_tasks_db store a task's path, and rows
written before the move name `vouchers.tasks.<task>`; they still run (the tasks live in
ops/tasks.py). Migration ops 0002 rewrites queued rows to the new paths; this alias is for
rows written by a process still running the old code during a deploy."""

from ops.tasks import heartbeat_task, run_process_task, shop_job_task

__all__ = ["heartbeat_task", "run_process_task", "shop_job_task"]
