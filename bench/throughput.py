"""Benchmark: ending 10,000 vouchers of 200 shops on PostgreSQL at the partner's pace.

The time to stop a large campaign must be bounded by the pace we promise Shopee, not by this
machine. One `db_worker` ends 10,000 ongoing vouchers of 200 shops (after its fresh read of the
shops' lists); the sandbox (its own process) adds 150 ms to every call; END_RUN_GLOBAL_RPS=200,
END_RUN_SHOP_RPS=10 and END_RUN_CONCURRENCY as README advises for that pace (the calls a second
times the latency, plus a half: 45). The ideal is the calls at 200 a second (10,000 ends:
50 s; the reads are counted too). Reports the wall time from confirm to the run's end, the ratio
to ideal (goal: within 1.15×), the audit rows per call (one per attempt), the pace (no shop
over 10 calls in any second; overall calls in any second) and the app's CPU per call.

Needs a PostgreSQL server: DATABASE_URL=postgres://user@host:5432/any (the bench creates and
drops its own database, `shopadmin_bench_throughput`, on that server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/throughput.py
"""

import argparse
import datetime as dt
import os
import sys
import time
from collections import defaultdict
from urllib.parse import urlsplit, urlunsplit

from bulk_end import max_in_window
from common import (
    PARTNER_ID,
    PARTNER_KEY,
    ROOT,
    configure,
    emit,
    load_average,
    process_cpu_s,
    start_sandbox,
    start_worker,
    stop,
    wait_until,
)

DATABASE = "shopadmin_bench_throughput"
END = "/api/v2/voucher/end_voucher"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vouchers", type=int, default=10_000)
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--global-rps", type=float, default=200)
    parser.add_argument("--shop-rps", type=float, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:port/db).")
    concurrency = int(args.global_rps * args.latency_ms / 1000 * 1.5 + 0.999)
    os.environ.update(
        END_RUN_GLOBAL_RPS=str(args.global_rps),
        END_RUN_SHOP_RPS=str(args.shop_rps),
        END_RUN_CONCURRENCY=str(concurrency),
        BENCH_DATABASE_URL=database_create(os.environ["DATABASE_URL"]),
    )

    sandbox_process, sandbox_url = start_sandbox()
    worker = None
    try:
        env = configure("throughput", sandbox_url=sandbox_url)
        env.update(
            {
                key: os.environ[key]
                for key in ("END_RUN_GLOBAL_RPS", "END_RUN_SHOP_RPS", "END_RUN_CONCURRENCY")
            }
        )
        from django.test import Client

        from audit.models import ShopeeCall
        from runs.models import EndRun
        from sandbox.testing import SandboxControl

        control = SandboxControl(sandbox_url, timeout=120)
        user = seed(control, args)
        control.set_faults(
            [{"path": "/api/v2/*", "kind": "latency", "latency_ms": args.latency_ms}]
        )
        control.clear_calls()
        worker = start_worker(env, ROOT / "var" / "bench" / "throughput_worker.log")
        time.sleep(3)  # the worker process imports Django and starts polling

        client = Client()
        client.force_login(user)
        load_before = load_average()
        cpu_before = process_cpu_s() + process_cpu_s(worker.pid)
        started = time.perf_counter()
        response = client.post(
            "/admin/vouchers/voucher/end/",
            {"select_across": "1", "filters": "", "next": "/admin/vouchers/voucher/"},
        )
        assert response.status_code == 302, response.status_code
        run = EndRun.objects.get()
        finished = wait_until(
            lambda: EndRun.objects.get(pk=run.pk).status == "finished", timeout=1800, poll=0.5
        )
        cpu_app_s = process_cpu_s() + process_cpu_s(worker.pid) - cpu_before
        load_after = load_average()
        calls = control.calls()
        audit_rows = ShopeeCall.objects.count()
        audit_end_rows = ShopeeCall.objects.filter(endpoint=END).count()
    finally:
        if worker:
            stop(worker)
        stop(sandbox_process)
        from django.db import connections

        connections.close_all()
        database_drop(os.environ["DATABASE_URL"])

    ends = [c for c in calls if c["path"] == END]
    per_shop = defaultdict(list)
    for call in calls:
        per_shop[call["shop_id"]].append(call["time"])
    ideal = max(len(calls) / args.global_rps, max(map(len, per_shop.values())) / args.shop_rps)
    wall = finished - started
    ended = sum(1 for c in ends if isinstance(c["response"], dict) and not c["response"]["error"])
    emit(
        {
            "vouchers": args.vouchers,
            "shops": args.shops,
            "latency_ms": args.latency_ms,
            "global_rps": args.global_rps,
            "shop_rps": args.shop_rps,
            "concurrency": concurrency,
            "calls": len(calls),
            "end_calls": len(ends),
            "ended": ended,
            "audit_rows": audit_rows,
            "audit_rows_per_call": audit_rows / len(calls),
            "audit_end_rows_per_end_call": audit_end_rows / len(ends),
            "wall_s": wall,
            "ideal_s": ideal,
            "ratio_to_ideal": wall / ideal,
            "max_calls_in_any_1s": max_in_window([c["time"] for c in calls], 1.0),
            "max_calls_per_shop_in_any_1s": max(max_in_window(t, 1.0) for t in per_shop.values()),
            "shop_pace_exceeded": any(
                max_in_window(t, 1.0) > args.shop_rps for t in per_shop.values()
            ),
            "cpu_ms_per_call": cpu_app_s * 1000 / len(calls),
            "load_before": load_before,
            "load_after": load_after,
        }
    )


def _server(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_create(url: str) -> str:
    """A fresh database of our own on the server of `url`; returns its URL."""
    import psycopg

    with psycopg.connect(_server(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return _server(url, DATABASE)


def database_drop(url: str) -> None:
    import psycopg

    with psycopg.connect(_server(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def seed(control, args):
    """`args.shops` connected shops with `args.vouchers` ongoing vouchers, here and at Shopee."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shops.models import Shop
    from shops.services.shops import shop_tokens_set
    from vouchers.models import Voucher

    now = timezone.now()
    shops, vouchers, documents = [], [], []
    for n in range(args.shops):
        shop = Shop.objects.create(shop_id=950_000 + n, name=f"Bench shop {n}", region="SG")
        token, refresh = f"{n:032x}", f"{n + 1000:032x}"
        shop_tokens_set(shop=shop, access_token=token, refresh_token=refresh)
        shops.append(shop)
        documents.append(
            {
                "shop_id": shop.shop_id,
                "partner_id": PARTNER_ID,
                "name": shop.name,
                "access_token": token,
                "refresh_token": refresh,
            }
        )
    for n in range(args.vouchers):
        vouchers.append(
            Voucher(
                shop=shops[n % args.shops],
                voucher_id=7_200_000_000 + n,
                voucher_code=f"T{n}",
                start_time=now - dt.timedelta(days=1),
                end_time=now + dt.timedelta(days=7),
            )
        )
    Voucher.objects.bulk_create(vouchers, batch_size=2000)
    control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": documents,
            "vouchers": [
                {
                    "shop_id": v.shop.shop_id,
                    "voucher_id": v.voucher_id,
                    "start_time": int(v.start_time.timestamp()),
                    "end_time": int(v.end_time.timestamp()),
                }
                for v in vouchers
            ],
        }
    )
    return get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass")


if __name__ == "__main__":
    main()
