"""Starting real `manage.py db_worker` processes against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**overrides):
    """The environment of a process that sees what this test sees (database, Shopee, keys)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopadmin.settings",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(),
        "SHOPEE_PARTNER_ID": str(settings.SHOPEE_PARTNER_ID),
        "SHOPEE_PARTNER_KEY": settings.SHOPEE_PARTNER_KEY,
        "SHOPEE_API_BASE_URL": settings.SHOPEE_API_BASE_URL,
        "SHOPEE_TIMEOUT_SECONDS": str(settings.SHOPEE_TIMEOUT_SECONDS),
        "TOKEN_ENCRYPTION_KEYS": ",".join(settings.TOKEN_ENCRYPTION_KEYS),
        "END_RUN_LEASE_SECONDS": str(settings.END_RUN_LEASE_SECONDS),
        "END_RUN_RETRY_BASE_SECONDS": str(settings.END_RUN_RETRY_BASE_SECONDS),
        "END_RUN_RETRY_MAX_SECONDS": str(settings.END_RUN_RETRY_MAX_SECONDS),
        "END_RUN_SLICE_SECONDS": str(settings.END_RUN_SLICE_SECONDS),
        "END_RUN_CONCURRENCY": str(settings.END_RUN_CONCURRENCY),
    }
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def start_worker(log_path, extra=(), **overrides):
    """`manage.py db_worker` in its own process, polling every 0.1 s; `extra`: more options."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process by the caller
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *extra,
        ],
        cwd=ROOT,
        env=worker_env(**overrides),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_worker(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
