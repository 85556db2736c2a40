"""Metrics scrape benchmark (run on demand, not a test): does `/metrics/` stay cheap on a big
call log?

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopadmin_bench_metrics \\
        .venv/bin/python bench/metrics_scrape.py [--calls 1000000] [--recent 20000] [--runs 9]

(without BENCH_DATABASE_URL: a SQLite file under var/bench/). Fills the call log with `--calls`
rows spread over the last 30 days plus `--recent` rows in the last 5 minutes (the window the
call figures cover), 5,000 task rows and 200 runs, then scrapes `/metrics/` with the bearer token
through django.test.Client (DEBUG off, one connection, warmed up). Goal: the median scrape under
250 ms at a million calls. Figures come last.
"""

import argparse
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import configure, emit  # noqa: E402

COLUMNS = (
    "started_at, finished_at, duration_ms, actor_username, shop_shopee_id, shop_name, "
    "voucher_shopee_id, voucher_code, endpoint, method, attempt, outcome, error_kind, "
    "http_status, request_id, error, message, request"
)


def fill_calls(cursor, vendor, *, count, spread_seconds):
    """`count` end_voucher calls, one every `spread_seconds / count` seconds back from now."""
    step = spread_seconds / count
    if vendor == "postgresql":
        cursor.execute(
            f"INSERT INTO vouchers_shopeecall ({COLUMNS}) "  # noqa: S608 - our own constants
            "SELECT now() - g * %s * interval '1 second', now(), (random() * 900)::int, 'bench', "
            "1, '', g, '', '/api/v2/voucher/end_voucher', 'POST', 1, "
            "CASE WHEN g %% 10 = 0 THEN 'failed' ELSE 'success' END, '', 200, md5(g::text), "
            "'', '', '{}'::jsonb FROM generate_series(1, %s) g",
            [step, count],
        )
    else:
        cursor.execute(
            f"INSERT INTO vouchers_shopeecall ({COLUMNS}) "  # noqa: S608 - our own constants
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
            "SELECT strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (n * %s) || ' seconds'), "
            "datetime('now'), abs(random()) %% 900, 'bench', 1, '', n, '', "
            "'/api/v2/voucher/end_voucher', 'POST', 1, "
            "CASE WHEN n %% 10 = 0 THEN 'failed' ELSE 'success' END, '', 200, hex(randomblob(16)), "
            "'', '', '{}' FROM g",
            [count, step],
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--recent", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    configure("metrics_scrape")

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tasks_db.models import DBTaskResult, get_date_max

    from runs.models import EndRun
    from tests.factories import UserFactory

    started = time.perf_counter()
    with connection.cursor() as cursor:
        fill_calls(cursor, connection.vendor, count=args.calls, spread_seconds=30 * 86400)
        fill_calls(cursor, connection.vendor, count=args.recent, spread_seconds=290)
    user = UserFactory()
    EndRun.objects.bulk_create(
        EndRun(created_by=user, created_by_username=user.username, selection="bench")
        for _ in range(200)
    )
    DBTaskResult.objects.bulk_create(
        DBTaskResult(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="ops.tasks.heartbeat_task",
            backend_name="default",
            status="SUCCESSFUL" if n % 50 else "READY",
            run_after=get_date_max(),  # bulk_create skips the pre_save signal that sets it
        )
        for n in range(5000)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    fill_s = time.perf_counter() - started

    settings.METRICS_TOKEN = token = secrets.token_urlsafe(16)
    client = Client()
    headers = {"authorization": f"Bearer {token}"}
    assert client.get("/metrics/", headers=headers).status_code == 200  # warm up
    times = []
    for _ in range(args.runs):
        begin = time.perf_counter()
        response = client.get("/metrics/", headers=headers)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 200
    window = [
        line
        for line in response.content.decode().splitlines()
        if line.startswith("shopadmin_shopee_calls_last_5m{")
    ]
    print("\n".join(window), file=sys.stderr)
    median = statistics.median(times)
    emit(
        {
            "database": connection.vendor,
            "calls": args.calls + args.recent,
            "fill_s": fill_s,
            "scrape_median_s": median,
            "scrape_max_s": max(times),
            "goal_under_250ms": median < 0.25,
        }
    )


if __name__ == "__main__":
    main()
