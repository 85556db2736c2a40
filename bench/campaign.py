"""Benchmark: stopping a campaign of every kind over 50 shops, from confirm to done.

Each shop has 40 vouchers, 10 discounts, 5 bundle deals, 5 add-on deals, 2 follow prizes and 2
shop flash sales at Shopee (`campaign_seed`: mostly ongoing, a quarter upcoming, a few created
by Shopee). Staff's steps go through the admin's pages ("Stop a campaign": the form, its read
job on the worker, the preview); the clock starts at "Yes, stop the campaign". The run then
reads every shop's lists of every kind afresh, ends, deletes and switches off, and reads the
lists back. The sandbox (its own process) adds 100 ms to every call; one `db_worker` at the
default settings (END_RUN_CONCURRENCY, END_RUN_SHOP_RPS).

Reports the phases (fresh read, writes, read-back), the wall time, the ideal time (the larger
of the run's calls × latency / concurrency and the busiest shop's calls / its pace) and their
ratio (goal: within 1.15×), the pace seen by Shopee (calls of a shop in any one second), the
app's CPU per call, and checks from the sandbox's call log that nothing was ended, deleted or
switched off twice, that exactly the campaign's live promotions were, and that each call has
one audit row.

    .venv/bin/python bench/campaign.py [--shops 50] [--latency-ms 100]
"""

import argparse
import time
from collections import Counter, defaultdict

from bulk_end import max_in_window
from campaign_seed import (
    ID_FIELDS,
    MANAGED_UNLISTED,
    campaign_document,
    expected_actions,
    expected_refusals,
    shops_seed,
)
from common import (
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

COUNTS = {
    "voucher": 40,
    "discount": 10,
    "bundle_deal": 5,
    "add_on_deal": 5,
    "follow_prize": 2,
    "shop_flash_sale": 2,
}
KINDS = list(COUNTS)
MODULE_ID = {kind: field for kind, (field, _) in ID_FIELDS.items()}  # module -> id field


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    sandbox_process, sandbox_url = start_sandbox()
    worker = None
    try:
        env = configure("campaign", sandbox_url=sandbox_url)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.urls import reverse

        from audit.models import ShopeeCall
        from jobs.models import ACTIVE_JOB_STATUSES, ShopJob
        from runs.models import EndRun
        from sandbox.testing import SandboxControl
        from shops.models import Shop

        control = SandboxControl(sandbox_url, timeout=120)
        documents = shops_seed(args.shops, first_shop_id=930_000)
        control.reset(campaign_document(documents, COUNTS, int(control.now())))
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "pass")
        control.set_faults(
            [{"path": "/api/v2/*", "kind": "latency", "latency_ms": args.latency_ms}]
        )
        worker = start_worker(env, ROOT / "var" / "bench" / "campaign_worker.log")
        time.sleep(3)  # the worker process imports Django and starts polling

        # Staff's steps before the confirm: the form, the read of Shopee's lists, the preview.
        client = Client()
        client.force_login(user)
        shops = list(Shop.objects.values_list("pk", flat=True))
        answer = client.post(
            reverse("admin:runs_endrun_campaign"), {"shops": shops, "kinds": KINDS}
        )
        assert answer.status_code == 302, answer.status_code
        preview_url = answer["Location"]
        read_started = time.perf_counter()
        wait_until(
            lambda: not ShopJob.objects.filter(status__in=ACTIVE_JOB_STATUSES).exists(),
            timeout=600,
            poll=0.2,
        )
        preview_read_s = time.perf_counter() - read_started
        preview = client.get(preview_url)
        assert preview.status_code == 200, preview.status_code
        planned = planned_actions(user)

        control.clear_calls()
        audit_before = ShopeeCall.objects.count()
        load_before = load_average()
        cpu_before = process_cpu_s() + process_cpu_s(worker.pid)
        started = time.perf_counter()
        answer = client.post(preview_url, {"confirm": "1"})
        confirmed, confirmed_at = time.perf_counter(), time.time()
        assert answer.status_code == 302, answer.status_code
        run = EndRun.objects.get()
        finished = wait_until(lambda: run_done(run.pk), timeout=900, poll=0.2)
        finished_at = time.time() - (time.perf_counter() - finished)
        cpu_app_s = process_cpu_s() + process_cpu_s(worker.pid) - cpu_before
        load_after = load_average()
        calls = control.calls()
        state = control.state()
        audit = list(
            ShopeeCall.objects.order_by("id")[audit_before:].values_list("request_id", "endpoint")
        )
        run = EndRun.objects.get(pk=run.pk)
    finally:
        if worker:
            stop(worker)
        stop(sandbox_process)

    latency = args.latency_ms / 1000
    concurrency, shop_rps = settings.END_RUN_CONCURRENCY, settings.END_RUN_SHOP_RPS
    per_shop = defaultdict(list)
    for call in calls:
        per_shop[call["shop_id"]].append(call["time"])
    busiest = max(len(times) for times in per_shop.values())
    ideal = max(len(calls) * latency / concurrency, busiest / shop_rps)
    wall = finished - started
    writes = [call for call in calls if write_of(call)]
    expected = expected_actions(COUNTS, args.shops)
    refusals = expected_refusals(COUNTS, args.shops)
    problems = check_writes(writes, expected, planned, refusals)
    problems += check_shopee_state(state, writes)
    problems += check_audit(calls, audit)
    if not any("read_back_at" in entry for entry in run.read_report or []):
        problems.append("the run's read-back did not happen")
    emit(
        {
            **phases(calls, writes, latency, confirmed_at, finished_at),
            "shops": args.shops,
            "promotions": sum(COUNTS.values()) * args.shops,
            "latency_ms": args.latency_ms,
            "concurrency": concurrency,
            "shop_rps": shop_rps,
            "preview_read_s": preview_read_s,
            "calls": len(calls),
            "write_calls": len(writes),
            "refused_calls": refusals,
            **{
                f"{action}_calls": n
                for action, n in sorted(Counter(map(action_of, writes)).items())
            },
            "run_status": run.status,
            # The read-back: what Shopee still lists live of the campaign (Shopee-managed ones,
            # which no run can stop, and any other, which a follow-up run would stop).
            "read_back_still_live": sum(still_live(run, managed=None)),
            "read_back_still_live_not_managed": sum(still_live(run, managed=False)),
            "confirm_s": confirmed - started,
            "run_s": finished - confirmed,
            "wall_s": wall,
            "ideal_s": ideal,
            "ratio_to_ideal": wall / ideal,
            "max_calls_per_shop_in_any_1s": max(max_in_window(t, 1.0) for t in per_shop.values()),
            "shop_pace_exceeded": any(max_in_window(t, 1.0) > shop_rps for t in per_shop.values()),
            "audit_rows_per_call": len(audit) / len(calls),
            # The app's CPU (this process, which confirms, and the worker) per Shopee call.
            "cpu_ms_per_call": cpu_app_s * 1000 / len(calls),
            "problems": len(problems),
            "load_before": load_before,
            "load_after": load_after,
        }
    )
    for problem in problems[:20]:
        print("PROBLEM:", problem)


def still_live(run, *, managed):
    """Per shop of the run's read-back, how many still live (only those Shopee manages or not,
    unless `managed` is None)."""
    for entry in run.read_report or []:
        yield sum(
            1
            for live in entry.get("still_live") or []
            if managed is None or bool(live.get("shopee_managed")) == managed
        )


def planned_actions(user):
    """What the preview planned: {"end"/"disable"/"delete": count} (as the page builds it)."""
    from jobs.models import ShopJob
    from jobs.services.campaign_read import campaign_terms
    from runs.admin.campaign.reads import campaign_reads
    from runs.services.campaign_plan import CampaignTerms, campaign_plan_build

    job = ShopJob.objects.get()
    terms = CampaignTerms.from_rule(campaign_terms(job))
    plan = campaign_plan_build(
        reads=campaign_reads(job), terms=terms, user=user, since=job.created_at
    )
    return plan.actions


def run_done(run_id) -> bool:
    """The run has finished and its read-back is done."""
    from runs.models import EndRun

    run = EndRun.objects.get(pk=run_id)
    return run.status == "finished"


def write_of(call) -> tuple[str, str, int] | None:
    """(module, api, Shopee id) of a write call (end, delete, switch off), else None."""
    _, _, _, module, api = call["path"].split("/", 4)
    if not (api.startswith(("end_", "delete_")) or api == "update_shop_flash_sale"):
        return None
    body = call["body"] if isinstance(call["body"], dict) else {}
    return module, api, int(body.get(MODULE_ID[module], 0))


def action_of(call) -> str:
    _, api, _ = write_of(call)
    return "disable" if api.startswith("update_") else api.split("_", 1)[0]


def succeeded(call) -> bool:
    response = call["response"]
    return call["status"] == 200 and isinstance(response, dict) and not response.get("error")


def check_writes(writes, expected, planned, refusals) -> list[str]:
    """Each promotion written at most once and successfully (but the Shopee-managed ones its
    lists do not show: refused once); the counts the seed implies."""
    problems = []
    by_target = Counter((module, promotion_id) for module, _, promotion_id in map(write_of, writes))
    problems += [f"{target} written {n} times" for target, n in by_target.items() if n > 1]
    refused = [c for c in writes if refusal(c) in MANAGED_UNLISTED.values()]
    if len(refused) != refusals:
        problems.append(f"{len(refused)} refusals of Shopee-managed deals, {refusals} expected")
    problems += [
        f"refused or failed: {write_of(c)} {c['response']}"
        for c in writes
        if not succeeded(c) and c not in refused
    ]
    sent = Counter(map(action_of, writes))
    if dict(sent) != {action: n for action, n in expected.items() if n}:
        problems.append(f"sent {dict(sent)}, expected {expected}")
    if dict(planned) != {action: n for action, n in expected.items() if n}:
        problems.append(f"the preview planned {dict(planned)}, expected {expected}")
    return problems


def refusal(call) -> str:
    response = call["response"]
    return response.get("error", "") if isinstance(response, dict) else ""


def check_shopee_state(state, writes) -> list[str]:
    """At Shopee, nothing of the campaign is still live, except what Shopee manages."""
    problems = []
    now = state["now"]
    written = {(module, promotion_id) for module, _, promotion_id in map(write_of, writes)}
    live = []
    for voucher in state["vouchers"]:
        if voucher["start_time"] <= now < voucher["end_time"] or now < voucher["start_time"]:
            if not voucher.get("is_admin"):
                live.append(("voucher", voucher["voucher_id"]))
    for kind, records in state["promotions"].items():
        for record in records:
            if kind == "shop_flash_sale":
                on = record["status"] == 1 and now < record["end_time"]
            else:
                on = now < record["end_time"]
            managed = record.get("shopee_created") or (
                kind in ("discount", "add_on_deal")
                and record.get("source") in ((1, 7) if kind == "discount" else (0,))
            )
            if on and not managed:
                live.append((kind, record[MODULE_ID[kind]]))
    problems += [f"still live at Shopee: {target}" for target in live[:10]]
    if len(written) != len(writes):
        problems.append("a promotion was written twice")
    return problems


def check_audit(calls, audit) -> list[str]:
    """One audit row per call, matched by Shopee's request_id."""
    rows = Counter(request_id for request_id, _ in audit)
    problems = [f"request_id {rid} recorded {n} times" for rid, n in rows.items() if n > 1]
    answered = {call["request_id"] for call in calls}
    if set(rows) != answered or len(audit) != len(calls):
        problems.append(f"{len(audit)} audit rows for {len(calls)} calls")
    return problems


def phases(calls, writes, latency, confirmed_at, finished_at) -> dict:
    """When the fresh read, the writes and the read-back happened (from Shopee's log, which
    keeps the sandbox's clock: this machine's), and the gaps between them when no call was in
    flight: the confirm to the first list call, the fresh read to the first write, the last
    write to the read-back, the read-back to the run's end."""
    lists = sorted(call["time"] for call in calls if call["path"].endswith("_list"))
    if not writes:
        return {"list_calls": len(lists)}
    first, last = min(c["time"] for c in writes), max(c["time"] for c in writes)
    fresh = [t for t in lists if t < first]
    back = [t for t in lists if t > last]
    figures = {
        "fresh_read_calls": len(fresh),
        "fresh_read_s": (fresh[-1] + latency - fresh[0]) if fresh else 0.0,
        "write_phase_s": last + latency - first,
        "read_back_calls": len(back),
    }
    if back:
        figures["read_back_s"] = back[-1] + latency - back[0]
    if fresh and back:
        figures |= {
            "gap_start_s": fresh[0] - confirmed_at,
            "gap_decide_s": first - (fresh[-1] + latency),
            "gap_read_back_s": back[0] - (last + latency),
            "gap_end_s": finished_at - (back[-1] + latency),
        }
    return figures


if __name__ == "__main__":
    main()
