"""Benchmark: ending 2,000 ongoing vouchers of 20 shops, from confirm to run complete.

The sandbox (its own process) adds 100 ms to every call; one `db_worker` process does the work
at the default settings (END_RUN_CONCURRENCY, END_RUN_SHOP_RPS). The run first reads each shop's
ongoing and upcoming lists from Shopee, then ends. Reports the phases, the wall time, the ideal
time — the larger of calls (reads and ends) × latency / concurrency and the busiest shop's calls /
its pace — and their ratio (goal: within 1.25×), and checks from the sandbox's call log that no
shop was sent more requests in any one-second window than its pace allows.

    .venv/bin/python bench/bulk_end.py [--vouchers 2000] [--shops 20] [--latency-ms 100]
"""

import argparse
import datetime as dt
import time
from collections import defaultdict

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vouchers", type=int, default=2000)
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    sandbox_process, sandbox_url = start_sandbox()
    worker = None
    try:
        env = configure("bulk_end", sandbox_url=sandbox_url)
        from django.conf import settings
        from django.test import Client

        from runs.models import EndRun
        from sandbox.testing import SandboxControl

        control = SandboxControl(sandbox_url, timeout=60)
        user = seed(control, args)
        control.set_faults(
            [{"path": "/api/v2/*", "kind": "latency", "latency_ms": args.latency_ms}]
        )
        control.clear_calls()
        worker = start_worker(env, ROOT / "var" / "bench" / "bulk_end_worker.log")
        time.sleep(3)  # the worker process imports Django and starts polling

        client = Client()
        client.force_login(user)
        load_before = load_average()
        worker_cpu_before = process_cpu_s(worker.pid)
        web_cpu_before = process_cpu_s()
        started = time.perf_counter()
        response = client.post(
            "/admin/vouchers/voucher/end/",
            {"select_across": "1", "filters": "", "next": "/admin/vouchers/voucher/"},
        )
        confirmed = time.perf_counter()
        # The web's part is the confirm; this process's polling for the end is the bench's own.
        cpu_web_s = process_cpu_s() - web_cpu_before
        assert response.status_code == 302, response.status_code
        run = EndRun.objects.get()
        finished = wait_until(
            lambda: EndRun.objects.get(pk=run.pk).status == "finished", timeout=600
        )
        cpu_app_s = cpu_web_s + process_cpu_s(worker.pid) - worker_cpu_before
        load_after = load_average()
        everything = control.calls()
        calls = [c for c in everything if c["path"] == "/api/v2/voucher/end_voucher"]
        reads = [c for c in everything if c["path"] == "/api/v2/voucher/get_voucher_list"]
    finally:
        if worker:
            stop(worker)
        stop(sandbox_process)

    concurrency = settings.END_RUN_CONCURRENCY
    shop_rps = settings.END_RUN_SHOP_RPS
    per_shop = defaultdict(list)
    for call in calls:
        per_shop[call["shop_id"]].append(call["time"])
    busiest = max(len(times) for times in per_shop.values())
    # Every call the run makes: its fresh read of the shops' lists, then the ends.
    ideal = max(
        (len(calls) + len(reads)) * args.latency_ms / 1000 / concurrency, busiest / shop_rps
    )
    wall = finished - started
    ended = sum(1 for c in calls if isinstance(c["response"], dict) and not c["response"]["error"])
    first_end = min(c["time"] for c in calls)
    phases = {
        "read_calls": len(reads),
        "read_s": max(c["time"] for c in reads)
        + args.latency_ms / 1000
        - min(c["time"] for c in reads),
        "read_end_to_first_end_s": first_end - max(c["time"] for c in reads),
        "end_phase_s": max(c["time"] for c in calls) - first_end,
    }
    emit(
        {
            **phases,
            "vouchers": args.vouchers,
            "shops": args.shops,
            "latency_ms": args.latency_ms,
            "concurrency": concurrency,
            "shop_rps": shop_rps,
            "end_calls": len(calls),
            "ended": ended,
            "confirm_s": confirmed - started,
            "wall_s": wall,
            "ideal_s": ideal,
            "ratio_to_ideal": wall / ideal,
            "max_calls_per_shop_in_any_1s": max(max_in_window(t, 1.0) for t in per_shop.values()),
            "shop_pace_exceeded": any(max_in_window(t, 1.0) > shop_rps for t in per_shop.values()),
            # The app's CPU per Shopee call: the confirm (in this process) and the worker.
            "cpu_ms_per_call": cpu_app_s * 1000 / (len(calls) + len(reads)),
            "load_before": load_before,
            "load_after": load_after,
        }
    )


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
        shop = Shop.objects.create(shop_id=900_000 + n, name=f"Bench shop {n}", region="SG")
        token = f"{n:032x}"
        shop_tokens_set(shop=shop, access_token=token, refresh_token=f"{n + 1000:032x}")
        shops.append(shop)
        documents.append(
            {
                "shop_id": shop.shop_id,
                "partner_id": PARTNER_ID,
                "name": shop.name,
                "access_token": token,
                "refresh_token": f"{n + 1000:032x}",
            }
        )
    for n in range(args.vouchers):
        vouchers.append(
            Voucher(
                shop=shops[n % args.shops],
                voucher_id=7_000_000_000 + n,
                voucher_code=f"B{n}",
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
                    "start_time": int(v.start_time.timestamp()),
                    "end_time": int(v.end_time.timestamp()),
                }
                for v in vouchers
            ],
        }
    )
    return get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass")


def max_in_window(times, width):
    """The most calls that fall in any window of `width` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


if __name__ == "__main__":
    main()
