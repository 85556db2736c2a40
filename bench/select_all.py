"""Benchmark: confirming "End selected vouchers" over 100,000 selected vouchers ("select all").

A first process fills the database (200 shops, 100,000 vouchers in every state); a second, fresh
process then shows the confirmation page for all of them and confirms, through Django's test
client, as a browser would: the confirmation posts the changelist's filters, not 100,000 ids.
Reports the time of both steps and the peak memory of the measuring process.
Goal: confirming in under 2 s and under 200 MB on SQLite.

    .venv/bin/python bench/select_all.py [--vouchers 100000]
"""

import argparse
import datetime as dt
import resource
import subprocess
import sys
import time

from common import ROOT, configure, emit


def fill(count: int) -> None:
    configure("select_all")
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from shops.models import Shop
    from vouchers.models import Voucher

    now = timezone.now()
    shops = Shop.objects.bulk_create(
        Shop(shop_id=800_000 + n, name=f"Shop {n:03}", region="SG") for n in range(200)
    )
    offsets = [(-2, 5), (-2, 5), (-2, 5), (1, 9), (-9, -1)]  # mostly ongoing
    batch = []
    for n in range(count):
        start, end = offsets[n % len(offsets)]
        batch.append(
            Voucher(
                shop=shops[n % len(shops)],
                voucher_id=9_000_000_000 + n,
                voucher_code=f"S{n}",
                voucher_name=f"Sale {n}",
                start_time=now + dt.timedelta(days=start),
                end_time=now + dt.timedelta(days=end),
                is_admin=n % 97 == 0,
            )
        )
        if len(batch) == 10_000:
            Voucher.objects.bulk_create(batch)
            batch = []
    Voucher.objects.bulk_create(batch)
    get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass")


def measure() -> dict:
    configure("select_all", fresh=False)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from runs.models import EndRun

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    changelist = "/admin/vouchers/voucher/"
    client.get(changelist)  # warm up: imports, templates, the first queries
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    page = client.post(
        changelist,
        {
            "action": "end_selected_vouchers",
            "select_across": "1",
            "index": 0,
            "_selected_action": ["1"],
        },
    )
    shown = time.perf_counter()
    assert page.status_code == 200 and b"will be ended on Shopee" in page.content
    response = client.post(
        "/admin/vouchers/voucher/end/",
        {"select_across": "1", "filters": "", "next": changelist},
    )
    confirmed = time.perf_counter()
    assert response.status_code == 302, response.status_code
    run = EndRun.objects.get()
    return {
        "vouchers": run.items.count(),
        "pending_items": run.items.filter(state="pending").count(),
        "confirmation_page_s": shown - started,
        "confirm_s": confirmed - shown,
        "rss_before_mb": rss_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vouchers", type=int, default=100_000)
    parser.add_argument("--fill-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_only:
        fill(args.vouchers)
        return
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - this script, in a fresh interpreter
        [sys.executable, __file__, "--fill-only", "--vouchers", str(args.vouchers)],
        cwd=ROOT / "bench",
        check=True,
    )
    fill_s = time.perf_counter() - started
    figures = measure()
    emit({"fill_s": fill_s, **figures})


if __name__ == "__main__":
    main()
