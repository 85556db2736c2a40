"""Benchmark: syncing 200 shops × 500 vouchers from Shopee, as `maintain_shops` does.

The sandbox (its own process) adds 100 ms to every call. The sync runs in this process at the
default settings (END_RUN_CONCURRENCY requests in flight, END_RUN_SHOP_RPS per shop). Reports the
wall time, the ideal time — the larger of calls × latency / concurrency and the busiest shop's
calls / its pace, and each shop's pages one after another — their ratio (goal: within 1.25×),
and checks from the sandbox's call log that no shop was sent more requests in any one-second
window than its pace allows.

    .venv/bin/python bench/sync.py [--shops 200] [--vouchers-per-shop 500] [--latency-ms 100]

BENCH_DATABASE_URL=postgres://... runs it on PostgreSQL (the database is flushed first).
"""

import argparse
import time
from collections import defaultdict

from bulk_end import max_in_window
from common import (
    PARTNER_ID,
    PARTNER_KEY,
    configure,
    emit,
    load_average,
    process_cpu_s,
    start_sandbox,
    stop,
)

LIST = "/api/v2/voucher/get_voucher_list"
PAGE_SIZE = 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--vouchers-per-shop", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    sandbox_process, sandbox_url = start_sandbox()
    try:
        configure("sync", sandbox_url=sandbox_url)
        from django.conf import settings

        from sandbox.testing import SandboxControl
        from shops.models import Shop
        from vouchers.models import Voucher
        from vouchers.services.sync import shops_vouchers_sync

        control = SandboxControl(sandbox_url, timeout=120)
        shops = seed(control, args)
        control.set_faults(
            [{"path": "/api/v2/*", "kind": "latency", "latency_ms": args.latency_ms}]
        )
        control.clear_calls()
        load_before = load_average()
        cpu_before = process_cpu_s()
        started = time.perf_counter()
        results = shops_vouchers_sync(shops=shops, actor_label="bench")
        wall = time.perf_counter() - started
        cpu_app_s = process_cpu_s() - cpu_before
        load_after = load_average()
        calls = [c for c in control.calls() if c["path"] == LIST]
        saved = Voucher.objects.count()
        synced_shops = Shop.objects.filter(vouchers_synced_at__isnull=False).count()
    finally:
        stop(sandbox_process)

    concurrency = settings.END_RUN_CONCURRENCY
    shop_rps = settings.END_RUN_SHOP_RPS
    latency = args.latency_ms / 1000
    per_shop = defaultdict(list)
    for call in calls:
        per_shop[call["shop_id"]].append(call["time"])
    busiest = max(len(times) for times in per_shop.values())
    ideal = max(len(calls) * latency / concurrency, busiest / shop_rps, busiest * latency)
    emit(
        {
            "shops": args.shops,
            "vouchers_per_shop": args.vouchers_per_shop,
            "latency_ms": args.latency_ms,
            "concurrency": concurrency,
            "shop_rps": shop_rps,
            "list_calls": len(calls),
            "failed_shops": sum(1 for result in results if not result.ok),
            "vouchers_saved": saved,
            "shops_synced": synced_shops,
            "wall_s": wall,
            "ideal_s": ideal,
            "ratio_to_ideal": wall / ideal,
            "max_calls_per_shop_in_any_1s": max(max_in_window(t, 1.0) for t in per_shop.values()),
            "shop_pace_exceeded": any(max_in_window(t, 1.0) > shop_rps for t in per_shop.values()),
            # The app's CPU (the sync runs in this process; the sandbox is another) per call.
            "cpu_ms_per_call": cpu_app_s * 1000 / len(calls),
            "load_before": load_before,
            "load_after": load_after,
        }
    )


def seed(control, args):
    """`args.shops` connected shops here; at Shopee, each with its vouchers."""
    from shops.models import Shop
    from shops.services.shops import shop_tokens_set

    now = int(time.time())
    shops, documents, vouchers = [], [], []
    for n in range(args.shops):
        shop = Shop.objects.create(shop_id=910_000 + n, name=f"Bench shop {n}", region="SG")
        token, refresh = f"{n:032x}", f"{n + 100_000:032x}"
        shop_tokens_set(shop=shop, access_token=token, refresh_token=refresh)
        shops.append(shop)
        documents.append(
            {
                "shop_id": shop.shop_id,
                "partner_id": PARTNER_ID,
                "access_token": token,
                "refresh_token": refresh,
            }
        )
        for v in range(args.vouchers_per_shop):
            vouchers.append(
                {
                    "shop_id": shop.shop_id,
                    "voucher_id": 8_000_000_000 + n * 10_000 + v,
                    "start_time": now - 86400 * (1 + v % 3),
                    "end_time": now + 86400 * (v % 5 - 1),
                }
            )
    control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": documents,
            "vouchers": vouchers,
        }
    )
    return shops


if __name__ == "__main__":
    main()
