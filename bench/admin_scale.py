"""Admin scale benchmark (run on demand, not a test): do the big admin pages stay flat?

    .venv/bin/python bench/admin_scale.py [--db sqlite|postgres] [--big-vouchers 200000]
                                          [--big-calls 1000000] [--runs 9] [--pg-name NAME]
                                          [--views dashboard]

Builds a fresh database (SQLite var/bench/admin_scale.sqlite3 or PostgreSQL shopadmin_bench or
--pg-name, kept until the next run) with 20 shops, 1,000 vouchers, 1,000 Shopee calls and 10 runs,
measures the voucher changelist, the call log (plain, filtered, searched; a call's page) and the
dashboard (the admin's home, as a superuser and as a team member of 5 shops) through
django.test.Client (DEBUG off, one connection, warmed up), grows the tables to the big sizes and
measures again. Per view and size: the SQL queries of one request (CaptureQueriesContext) and the
median page time (ms_*; a filtered view may list fewer rows when small). The slowest query
execution of each view goes to stderr (on SQLite, rows scanned while fetching are not counted).
Goals: at 200,000 vouchers and 1,000,000 calls, the plain voucher changelist, the call log and the
dashboard make as many queries as at 1,000 rows and take under 2x as long (goal_* lines); the
dashboard also under 300 ms. Figures come last.
"""

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import django
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_FILE = BASE_DIR / "var" / "bench" / "admin_scale.sqlite3"
PG_SERVER, PG_NAME = "postgres://postgres@127.0.0.1:5432", "shopadmin_bench"
SMALL, BATCH, SHOPS, DAYS = 1_000, 5_000, 20, 180  # calls spread over the last DAYS days
TEAM_SHOPS, RUNS, RUN_ITEMS = 5, 10, 200
ENDPOINTS = {  # path: (method, weight)
    "/api/v2/voucher/get_voucher_list": ("GET", 45),
    "/api/v2/voucher/end_voucher": ("POST", 40),
    "/api/v2/voucher/get_voucher": ("GET", 5),
    "/api/v2/auth/access_token/get": ("POST", 8),
    "/api/v2/shop/get_shop_info": ("GET", 2),
}
REFUSALS = [  # (error, kind, message)
    ("voucher.end_voucher_status_error", "business", "Voucher has already ended."),
    ("voucher.operate_voucher_permission_error", "business", "No permission for this voucher."),
    ("invalid_acceess_token", "authorization", "Invalid access_token."),
    ("error_rate_limit", "rate_limit", "Too many requests, please try again later."),
]


def configure(db, pg_name=PG_NAME):
    """Point Django at a fresh benchmark database, then set it up."""
    os.environ.update(DJANGO_SETTINGS_MODULE="shopadmin.settings", DJANGO_DEBUG="false")
    # Production-like, but plain HTTP and no collectstatic manifest on the test client.
    os.environ.update(DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_STATIC_MANIFEST="false")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    if db == "sqlite":
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    else:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {pg_name}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
    sys.path.insert(0, str(BASE_DIR))
    django.setup()


def insert(model, rows):
    """Load row dicts (column: value; a missing column gets the field's default), BATCH rows per
    transaction (COPY on PostgreSQL). Returns the seconds taken."""
    from django.db import connection, models, transaction

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapt = {f.column: lambda value: value for f in fields}
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapt[f.column] = connection.ops.adapt_datetimefield_value
        elif isinstance(f, models.JSONField | models.UUIDField):
            adapt[f.column] = partial(f.get_db_prep_save, connection=connection)
    defaults = {f.column: f.get_default() for f in fields}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in adapt)
    params = ", ".join(["%s"] * len(adapt))
    insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({params})"  # noqa: S608 (quoted names)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")  # while loading only: analyze() reconnects
        for batch in itertools.batched(rows, BATCH):
            values = [[adapt[c](row.get(c, defaults[c])) for c in adapt] for row in batch]
            with transaction.atomic():
                if connection.vendor == "sqlite":
                    cursor.executemany(insert_sql, values)
                    continue
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
    return time.perf_counter() - started


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")  # autovacuum's steady state: stats, visibility map
    connection.close()  # the next connection gets the settings' PRAGMAs back


def make_vouchers(first, count, ctx, now):
    """Vouchers number first.. first+count-1: 70% expired, 20% ongoing, 10% upcoming."""
    day = dt.timedelta(days=1)
    for n in range(first, first + count):
        status = random.choices(["expired", "ongoing", "upcoming"], [70, 20, 10])[0]
        low, high = {"expired": (-400, -31), "ongoing": (-30, 0), "upcoming": (0.1, 60)}[status]
        start = now + random.uniform(low, high) * day
        end = (now if status == "ongoing" else start) + random.uniform(0.1, 30) * day
        yield {
            "shop_id": ctx["shops"][n % SHOPS]["shop_id"],
            "voucher_id": 900_000_000 + n,
            "voucher_code": f"SALE{n:07d}",
            "voucher_name": f"Campaign {n % 997} voucher {n}",
            "start_time": start,
            "end_time": end,
            "is_admin": random.random() < 0.03,
            "voucher_purpose": 0 if random.random() < 0.85 else random.randint(1, 7),
            "synced_at": now,
        }


def make_calls(count, ctx, now):
    """`count` calls in time order over the last DAYS days, about the vouchers in the database:
    85% success, 10% refused, 4% failed, 1% pending."""
    from vouchers.models import Voucher

    vouchers = list(Voucher.objects.values_list("pk", "shop_id", "voucher_id", "voucher_code"))
    shops = {shop["shop_id"]: shop for shop in ctx["shops"]}
    paths = [path for path, (_, weight) in ENDPOINTS.items() for _ in range(weight)]
    step, ms = dt.timedelta(days=DAYS) / count, dt.timedelta(milliseconds=1)
    for n in range(count):
        pk, shop_pk, voucher_id, code = random.choice(vouchers)
        path, shop = random.choice(paths), shops[shop_pk]
        method = ENDPOINTS[path][0]
        voucher = {"voucher_id": pk, "voucher_shopee_id": voucher_id, "voucher_code": code}
        if not path.endswith(("end_voucher", "get_voucher")):
            voucher = {}
        if n % 50 == 0:  # an ending run of 50 calls
            batch = uuid.uuid4()
        outcome = random.choices(["success", "refused", "failed", "pending"], [85, 10, 4, 1])[0]
        error, kind, message = random.choice(REFUSALS) if outcome == "refused" else ("", "", "")
        if outcome == "failed":
            kind, message = "transient", "Read timed out."
        status = {"success": 200, "refused": random.choice([200, 400, 429, 500])}.get(outcome)
        request_id = f"{random.getrandbits(128):032x}" if status else ""
        started = now - dt.timedelta(days=DAYS) + step * n + random.randint(0, 999) * ms
        duration = None if outcome == "pending" else random.randint(40, 2500)
        body = {"voucher_id": voucher_id} if voucher else {}
        query = {"partner_id": 2001887, "timestamp": int(started.timestamp())}
        result = {"outcome": outcome, "error_kind": kind, "error": error, "message": message}
        yield {
            "started_at": started,
            "finished_at": started + duration * ms if duration else None,
            "duration_ms": duration,
            **random.choice(ctx["actors"]),
            **shop,
            **voucher,
            "batch_id": batch if path.endswith("end_voucher") else None,
            "endpoint": path,
            "method": method,
            **result,
            "http_status": status,
            "request_id": request_id,
            "request": {"method": method, "path": path, "query": query, "body": body},
            "response": status and {"request_id": request_id, "error": error, "message": message},
        }


def build_small(now):
    """Users, shops, SMALL vouchers and SMALL calls; returns what the views need."""
    from django.contrib.auth.models import User

    from audit.models import ShopeeCall
    from shops.models import Shop
    from vouchers.models import Voucher

    admin = User.objects.create_superuser("bench-admin", "bench@example.com", "unused-password")
    actors = [{"actor_username": "system"}] * 3  # most calls come from cron
    for n in range(8):
        user = User.objects.create_user(f"merch{n}", is_staff=True)
        actors.append({"actor_id": user.pk, "actor_username": user.username})
    shops = []
    for n in range(SHOPS):
        shop = Shop.objects.create(shop_id=226_000 + n, name=f"Brand store {n}", region="SG")
        shops.append({"shop_id": shop.pk, "shop_shopee_id": shop.shop_id, "shop_name": shop.name})
    ctx = {"admin": admin, "shops": shops, "actors": actors}
    ctx["team_member"] = make_team(shops[:TEAM_SHOPS])
    insert(Voucher, make_vouchers(0, SMALL, ctx, now))
    insert(ShopeeCall, make_calls(SMALL, ctx, now))
    make_runs(ctx, now)
    analyze()
    ends = ShopeeCall.objects.filter(endpoint__endswith="/end_voucher", outcome="refused")
    return {**ctx, "call": ends.first()}


def make_team(shops):
    """A team of the first shops and a member, for the dashboard as a team member sees it."""
    from django.contrib.auth.models import Group, Permission, User

    team = Group.objects.create(name="Bench team")
    team.permissions.set(
        Permission.objects.filter(
            codename__in=["view_shop", "view_voucher", "end_voucher", "view_shopeecall"]
        )
    )
    for shop in shops:
        team.shops.add(shop["shop_id"])
    member = User.objects.create_user("bench-team", is_staff=True)
    member.groups.add(team)
    return member


def make_runs(ctx, now):
    """RUNS finished runs of RUN_ITEMS items each over all shops (the dashboard's last runs)."""
    from runs.models import EndRun, EndRunItem

    states = ["ended"] * 8 + ["refused", "failed", "skipped", "deleted"]
    for n in range(RUNS):
        run = EndRun.objects.create(
            created_by_username="bench-admin", selection="bench", status="finished"
        )
        items = [
            {
                "run_id": run.pk,
                "shop_id": ctx["shops"][k % SHOPS]["shop_id"],
                "voucher_shopee_id": 800_000_000 + n * RUN_ITEMS + k,
                "original_end_time": now,
                "state": states[k % len(states)],
            }
            for k in range(RUN_ITEMS)
        ]
        insert(EndRunItem, items)


def views(ctx):
    """name: (url, text the page must show[, "team": as the team member])."""
    call, shop, name = ctx["call"], ctx["shops"][3]["shop_id"], ctx["shops"][3]["shop_name"]
    vouchers, calls = "/admin/vouchers/voucher/", "/admin/audit/shopeecall/"
    return {
        "vouchers": (vouchers, "Brand store"),
        "vouchers_status_ongoing": (f"{vouchers}?status=ongoing", "Ongoing"),
        "vouchers_shop": (f"{vouchers}?shop__id__exact={shop}", name),
        "vouchers_search_id": (f"{vouchers}?q={call.voucher_shopee_id}", call.voucher_code),
        "calls": (calls, "end_voucher"),
        "calls_filter_outcome": (f"{calls}?outcome__exact=refused", "Refused by Shopee"),
        "calls_filter_error": (f"{calls}?error=error_rate_limit", "error_rate_limit"),
        "calls_batch": (f"{calls}?batch_id={call.batch_id}", call.request_id),
        "calls_search_request_id": (f"{calls}?q={call.request_id}", call.request_id),
        "calls_search_voucher_id": (f"{calls}?q={call.voucher_shopee_id}", call.request_id),
        "calls_search_message": (f"{calls}?q=timed+out", "Failed (no usable answer)"),
        "calls_detail": (f"{calls}{call.pk}/change/", call.request_id),
        "dashboard": ("/admin/", "Shopee calls per hour"),
        "dashboard_team": ("/admin/", "Shopee calls per hour", "team"),
    }


def measure(client, url, expected, runs):
    """(queries, median page seconds) of a warm GET of url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert expected in response.text, (url, expected)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = captured.captured_queries  # now: the next request empties the log
    pages = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        pages.append(time.perf_counter() - started)
    return queries, statistics.median(pages)


def measure_all(clients, ctx, size, runs, figures, only=""):
    for name, (url, expected, *who) in views(ctx).items():
        if not name.startswith(only):
            continue
        queries, seconds = measure(clients[who[0] if who else "admin"], url, expected, runs)
        slowest = max(queries, key=lambda query: float(query["time"]))
        figures[f"query_count_{size}_{name}"] = len(queries)
        figures[f"ms_{size}_{name}"] = round(seconds * 1000, 1)
        sql = " ".join(slowest["sql"].split())[:300]
        print(f"[{size}] {name}: slowest execute {slowest['time']} s: {sql}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--big-vouchers", type=int, default=200_000)
    parser.add_argument("--big-calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9, help="timed requests per view (median)")
    parser.add_argument("--pg-name", default=PG_NAME, help="the PostgreSQL database to recreate")
    parser.add_argument(
        "--views",
        default="",
        help="measure only the views whose name starts with this (e.g. dashboard)",
    )
    args = parser.parse_args()
    random.seed(20240601)
    configure(args.db, args.pg_name)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from audit.models import ShopeeCall
    from ops.services.call_hours import call_hours_rebuild
    from vouchers.models import Voucher

    call_command("migrate", verbosity=0)
    now = timezone.now()
    ctx = build_small(now)
    clients = {"admin": Client(), "team": Client()}
    clients["admin"].force_login(ctx["admin"])
    clients["team"].force_login(ctx["team_member"])
    figures = {"database": args.db, "big_vouchers": args.big_vouchers, "big_calls": args.big_calls}
    measure_all(clients, ctx, "small", args.runs, figures, args.views)
    vouchers = make_vouchers(SMALL, args.big_vouchers - SMALL, ctx, now)
    figures["load_seconds_vouchers"] = round(insert(Voucher, vouchers), 1)
    seconds = insert(ShopeeCall, make_calls(args.big_calls - SMALL, ctx, now))
    figures["load_seconds_calls"] = round(seconds, 1)
    figures["load_calls_per_second"] = round((args.big_calls - SMALL) / seconds)
    # Calls loaded by COPY into hours the dashboard has summarized: counted again when next
    # needed (by the warm-up requests), as after a restore.
    call_hours_rebuild()
    analyze()
    measure_all(clients, ctx, "big", args.runs, figures, args.views)

    sizes = ("small", "big")
    measured = [n for n in views(ctx) if n.startswith(args.views)]
    unequal = [n for n in measured if len({figures[f"query_count_{s}_{n}"] for s in sizes}) > 1]
    figures["views_with_unequal_query_counts"] = ",".join(unequal) or "none"
    for name in ("vouchers", "calls", "dashboard", "dashboard_team"):
        if name not in measured:
            continue
        ratio = round(figures[f"ms_big_{name}"] / figures[f"ms_small_{name}"], 2)
        figures[f"time_ratio_{name}"] = ratio
        figures[f"goal_queries_{name}"] = "missed" if name in unequal else "met"
        figures[f"goal_time_{name}"] = "met" if ratio < 2 else "missed"
        if name.startswith("dashboard"):
            fast = figures[f"ms_big_{name}"] < 300
            figures[f"goal_under_300ms_{name}"] = "met" if fast else "missed"
    print()
    for name, value in figures.items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main()
