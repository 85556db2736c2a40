"""Benchmark: the pace of a shop holds across jobs and worker processes.

Three `db_worker` processes work three runs at once, and a fourth process syncs the same shops
(`manage.py sync_vouchers`), all over the same 5 shops; the sandbox (its own process) adds
100 ms to every call. Each run ends its own vouchers of every shop (its fresh read of the shops'
lists first). Reports the wall time from the runs' creation to the last run's end, the ideal
time — the busiest shop's calls (of every job and process) at the promised pace
(END_RUN_SHOP_RPS), or the calls at END_RUN_GLOBAL_RPS if more — and their ratio (goal: within
1.15×), and checks from the sandbox's call log that no shop was sent more requests in any
one-second window than its pace allows.

    .venv/bin/python bench/shared_pace.py [--shops 5] [--vouchers-per-run 200] [--latency-ms 100]
"""

import argparse
import datetime as dt
import subprocess
import sys
import time
from collections import defaultdict

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

RUNS = 3
WORKERS = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--vouchers-per-run", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    sandbox_process, sandbox_url = start_sandbox()
    workers, sync = [], None
    try:
        env = configure("shared_pace", sandbox_url=sandbox_url)
        from django.conf import settings

        from runs.models import EndRun, RunStatus
        from runs.services.create import run_create
        from sandbox.testing import SandboxControl
        from vouchers.models import Voucher

        control = SandboxControl(sandbox_url, timeout=60)
        user, shops = seed(control, args)
        control.set_faults(
            [{"path": "/api/v2/*", "kind": "latency", "latency_ms": args.latency_ms}]
        )
        control.clear_calls()
        for n in range(WORKERS):
            log = ROOT / "var" / "bench" / f"shared_pace_worker{n}.log"
            workers.append(start_worker(env, log))
        time.sleep(3)  # the workers import Django and start polling

        load_before = load_average()
        cpu_before = sum(process_cpu_s(worker.pid) for worker in workers)
        started = time.perf_counter()
        runs = []
        for n in range(RUNS):
            vouchers = Voucher.objects.filter(voucher_code__startswith=f"R{n}-")
            runs.append(run_create(vouchers=vouchers, actor=user, selection=f"bench run {n}"))
        sync = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "sync_vouchers"],
            cwd=ROOT,
            env=env | {"PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        finished = wait_until(
            lambda: (
                all(EndRun.objects.get(pk=run.pk).status == RunStatus.FINISHED for run in runs)
                and sync.poll() is not None
            ),
            timeout=600,
        )
        cpu_workers_s = sum(process_cpu_s(worker.pid) for worker in workers) - cpu_before
        load_after = load_average()
        calls = control.calls()
    finally:
        for worker in workers:
            stop(worker)
        if sync is not None:
            stop(sync)
        stop(sandbox_process)

    shop_rps, global_rps = settings.END_RUN_SHOP_RPS, settings.END_RUN_GLOBAL_RPS
    shop_ids = {shop.shop_id for shop in shops}
    per_shop = defaultdict(list)
    for call in calls:
        if call["shop_id"] in shop_ids:
            per_shop[call["shop_id"]].append(call["time"])
    busiest = max(len(times) for times in per_shop.values())
    ideal = max(busiest / shop_rps, len(calls) / global_rps)
    wall = finished - started
    ends = [c for c in calls if c["path"] == "/api/v2/voucher/end_voucher"]
    emit(
        {
            "shops": args.shops,
            "runs": RUNS,
            "workers": WORKERS,
            "latency_ms": args.latency_ms,
            "shop_rps": shop_rps,
            "calls": len(calls),
            "end_calls": len(ends),
            "busiest_shop_calls": busiest,
            "wall_s": wall,
            "ideal_s": ideal,
            "ratio_to_ideal": wall / ideal,
            "max_calls_per_shop_in_any_1s": max(max_in_window(t, 1.0) for t in per_shop.values()),
            "shop_pace_exceeded": any(max_in_window(t, 1.0) > shop_rps for t in per_shop.values()),
            "cpu_ms_per_call_workers": cpu_workers_s * 1000 / len(calls),
            "load_before": load_before,
            "load_after": load_after,
        }
    )


def seed(control, args):
    """`args.shops` connected shops; for each run, `args.vouchers_per_run` ongoing vouchers
    spread over the shops (codes R<run>-<n>), here and at Shopee."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shops.models import Shop
    from shops.services.shops import shop_tokens_set
    from vouchers.models import Voucher

    now = timezone.now()
    shops, documents, vouchers = [], [], []
    for n in range(args.shops):
        shop = Shop.objects.create(shop_id=930_000 + n, name=f"Bench shop {n}", region="SG")
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
    for run in range(RUNS):
        for n in range(args.vouchers_per_run):
            vouchers.append(
                Voucher(
                    shop=shops[n % args.shops],
                    voucher_id=7_100_000_000 + run * 100_000 + n,
                    voucher_code=f"R{run}-{n}",
                    start_time=now - dt.timedelta(days=1),
                    end_time=now + dt.timedelta(days=7),
                )
            )
    Voucher.objects.bulk_create(vouchers, batch_size=1000)
    control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": documents,
            "vouchers": [
                {
                    "shop_id": v.shop.shop_id,
                    "voucher_id": v.voucher_id,
                    "voucher_code": v.voucher_code,
                    "start_time": int(v.start_time.timestamp()),
                    "end_time": int(v.end_time.timestamp()),
                }
                for v in vouchers
            ],
        }
    )
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass")
    return user, shops


if __name__ == "__main__":
    main()
