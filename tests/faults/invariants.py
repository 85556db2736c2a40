"""What must hold after a run under faults, checked from three sides: Shopee's (the sandbox's
call log and state), the database (items, vouchers, run) and the Shopee call log (`ShopeeCall`).

Exactly once, precisely: walking each voucher's calls in the order Shopee received them, an
end_voucher call is *applied* when Shopee answered it with success, or when its answer was lost
by a phase-"after" fault (Shopee applied it, then the answer was dropped) while the voucher was
still ongoing at Shopee. Then, for every voucher:

- an endable one has exactly one applied call, a refused or skipped one none; Shopee's
  `end_time` moved once, at the applied call's time (to the second), before the original end,
  and is untouched for every other voucher;
- no end_voucher call reaches Shopee after the applied one, not even when its answer was lost:
  our side can know, because an end_voucher without a usable answer (or, after a killed worker,
  without a recorded one) is followed by get_voucher before anything else is sent for that
  voucher, and that is checked too. The one case where our side cannot know (Shopee applies the
  end after our timeout *and* after our get_voucher check) is test_slow_shopee's; no fault of
  these runs delays Shopee's processing past the client timeout (hangs are phase "before");
- a refusal is the voucher's last call (never retried), and it happens once.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

from vouchers.models import EndRun, Shop, ShopeeCall, ShopToken, Voucher
from vouchers.models.run import ItemState, RunStatus
from vouchers.services.runs.control import run_progress

END = "/api/v2/voucher/end_voucher"
GET = "/api/v2/voucher/get_voucher"
REFRESH = "/api/v2/auth/access_token/get"
PERMISSION_ERROR = "voucher.operate_voucher_permission_error"
EXPIRED_ERROR = "voucher.update_end_voucher_error"


@dataclass(frozen=True)
class Call:
    """One request as Shopee (the sandbox) received it."""

    seq: int
    time: float
    path: str
    voucher_id: int | None
    status: int | None
    response: object
    request_id: str | None
    fault: str | None

    @classmethod
    def from_log(cls, seq, entry):
        params = entry["body"] if entry["path"] == END else entry["query"]
        voucher_id = params.get("voucher_id") if isinstance(params, dict) else None
        return cls(
            seq=seq,
            time=entry["time"],
            path=entry["path"],
            voucher_id=int(voucher_id) if voucher_id is not None else None,
            status=entry["status"],
            response=entry["response"],
            request_id=entry["request_id"],
            fault=entry["fault"],
        )

    @property
    def envelope(self) -> dict | None:
        """Shopee's JSON answer, if the client got one it can read."""
        if isinstance(self.response, dict) and self.request_id:
            return self.response
        return None

    @property
    def error(self) -> str | None:
        return None if self.envelope is None else self.envelope.get("error", "")

    @property
    def succeeded(self) -> bool:
        return self.error == "" and self.status < 400


class ShopeeSide:
    """The sandbox's call log and state, read once after the run."""

    def __init__(self, sandbox):
        entries = sandbox.control.calls()
        self.calls = sorted(
            (Call.from_log(seq, entry) for seq, entry in enumerate(entries)),
            key=lambda call: (call.time, call.seq),
        )
        state = sandbox.control.state()
        self.now = state["now"]
        self.vouchers = {record["voucher_id"]: record for record in state["vouchers"]}
        self.shops = {record["shop_id"]: record for record in state["shops"]}
        self.by_voucher = defaultdict(list)
        for call in self.calls:
            if call.voucher_id is not None:
                self.by_voucher[call.voucher_id].append(call)

    def on(self, path):
        return [call for call in self.calls if call.path == path]


def applied_ends(calls, *, endable: bool, lost_after: bool) -> list[Call]:
    """The end_voucher calls of one voucher that Shopee applied (see the module docstring)."""
    applied = []
    for call in calls:
        if call.path != END or applied:
            continue
        lost_but_applied = lost_after and endable and call.envelope is None
        if call.succeeded or lost_but_applied:
            applied.append(call)
    return applied


def check_exactly_once(shopee: ShopeeSide, fleet, *, lost_after=False, unrecorded=()) -> dict:
    """Every endable voucher ended once at Shopee, nothing else ended, nothing sent after.

    `unrecorded`: request_ids Shopee answered but our side never recorded (a killed worker):
    like a lost answer, what follows must be a get_voucher. Returns {voucher_id: the applied
    end_voucher call}.
    """
    problems = []
    applied_by_voucher = {}
    endable = {voucher.voucher_id for voucher in fleet.endable}
    refused = {voucher.voucher_id for voucher in fleet.refused}
    for voucher in fleet.all:
        vid = voucher.voucher_id
        calls = shopee.by_voucher.get(vid, [])
        applied = applied_ends(calls, endable=vid in endable, lost_after=lost_after)
        record = shopee.vouchers[vid]
        original = fleet.original_end[vid]
        if vid in endable:
            if len(applied) != 1:
                problems.append(f"{vid}: applied {len(applied)} times")
                continue
            applied_by_voucher[vid] = applied[0]
            moved = record["end_time"]
            if not (moved < original and moved <= shopee.now):
                problems.append(f"{vid}: Shopee's end_time {moved} is not an ended voucher's")
            if not applied[0].time - 1 <= moved <= applied[0].time + 2:
                problems.append(f"{vid}: end_time {moved} is not the applied call's time")
            after = [c for c in calls if c.path == END and c.time > applied[0].time]
            if after:
                problems.append(f"{vid}: {len(after)} end_voucher call(s) after Shopee ended it")
        else:
            if applied or record["end_time"] != original:
                problems.append(f"{vid}: changed at Shopee though it should not end")
        if vid not in endable and vid not in refused and calls:
            problems.append(f"{vid}: skipped, yet {len(calls)} call(s) were sent")
        for call, following in zip(calls, calls[1:], strict=False):
            unknown = call.envelope is None or call.request_id in unrecorded
            if call.path == END and unknown and following.path != GET:
                problems.append(f"{vid}: an end_voucher without answer was not checked first")
            if call.error == PERMISSION_ERROR:
                problems.append(f"{vid}: a refusal was followed by another call")
            if call.error == EXPIRED_ERROR:
                problems.append(f"{vid}: end_voucher sent for a voucher Shopee had ended")
        if vid in refused:
            refusals = [c for c in calls if c.path == END and c.error == PERMISSION_ERROR]
            if len(refusals) != 1:
                problems.append(f"{vid}: refused {len(refusals)} times, not once")
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    return applied_by_voucher


def check_audit_log(shopee: ShopeeSide, *, lost_messages=()):
    """One audit row per HTTP attempt, matched by Shopee's request_id when there is one.

    Calls without a request_id are the faulty ones: dropped or hung (no answer at all), and
    also those answered with an HTML or plain-text body (no envelope, so no request_id). They
    must match the rows without a request_id one for one, endpoint and voucher alike, each row
    `failed` (transient) with the client's message for that failure.
    """
    rows = list(
        ShopeeCall.objects.order_by("id").values(
            "endpoint",
            "voucher_shopee_id",
            "request_id",
            "outcome",
            "error",
            "error_kind",
            "message",
            "attempt",
        )
    )
    assert len(rows) == len(shopee.calls), (len(rows), len(shopee.calls))
    pending = [row for row in rows if row["outcome"] == "pending"]
    assert not pending, f"{len(pending)} rows never completed: {pending[:3]}"

    with_id = Counter(row["request_id"] for row in rows if row["request_id"])
    assert set(with_id.values()) <= {1}, "a request_id recorded twice"
    answered = {call.request_id: call for call in shopee.calls if call.request_id}
    assert set(with_id) == set(answered)
    for row in rows:
        call = answered.get(row["request_id"])
        if call is None:
            continue
        assert row["endpoint"] == call.path
        assert row["voucher_shopee_id"] == call.voucher_id
        assert row["error"] == call.error
        assert row["outcome"] == ("success" if call.succeeded else "refused")

    without_id = [row for row in rows if not row["request_id"]]
    lost = [call for call in shopee.calls if not call.request_id]
    assert all(call.fault not in (None, "latency") for call in lost)
    assert Counter((r["endpoint"], r["voucher_shopee_id"]) for r in without_id) == Counter(
        (call.path, call.voucher_id) for call in lost
    )
    assert {(r["outcome"], r["error_kind"]) for r in without_id} <= {("failed", "transient")}
    assert {r["message"] for r in without_id} <= set(lost_messages)

    # Per voucher, the rows tell the same story, in the same order, numbered 1, 2, 3...
    rows_by_voucher = defaultdict(list)
    for row in rows:
        if row["voucher_shopee_id"] is not None:
            rows_by_voucher[row["voucher_shopee_id"]].append(row)
    for vid, calls in shopee.by_voucher.items():
        story = [(r["endpoint"], r["request_id"] or None) for r in rows_by_voucher[vid]]
        assert story == [(c.path, c.request_id) for c in calls], vid
        assert [r["attempt"] for r in rows_by_voucher[vid]] == list(range(1, len(calls) + 1))


def check_database(run, shopee: ShopeeSide, fleet, *, killed=False):
    """The run finished with counts matching its items, and our records match Shopee's.

    An item's attempts are its HTTP calls; `killed`: one more where a killed worker recorded
    an attempt that never left.
    """
    run = EndRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.FINISHED, run.status
    counts = run_progress(run=run).counts
    expected = dict.fromkeys(ItemState.values, 0)
    expected |= {"ended": len(fleet.endable), "refused": len(fleet.refused)}
    expected |= {"skipped": len(fleet.skipped)}
    assert counts == expected
    assert sum(counts.values()) == run.items.count() == len(fleet.all)
    per_shop = Counter()
    for voucher in fleet.all:
        per_shop[voucher.shop.shop_id] += 1
    for shop in run_progress(run=run).shops:
        assert sum(shop["counts"].values()) == per_shop[shop["shop_id"]]
        assert shop["counts"]["pending"] == shop["counts"]["failed"] == 0

    items = {item.voucher_shopee_id: item for item in run.items.all()}
    vouchers = {voucher.voucher_id: voucher for voucher in Voucher.objects.all()}
    for voucher in fleet.endable:
        vid = voucher.voucher_id
        item, ours, theirs = items[vid], vouchers[vid], shopee.vouchers[vid]
        assert item.state == ItemState.ENDED, (vid, item.state, item.reason)
        # Marked ended only on Shopee's word: the success answer, or get_voucher's record.
        confirming = {c.request_id for c in shopee.by_voucher[vid] if c.succeeded}
        assert item.request_id in confirming, vid
        assert ours.ended_at is not None
        shopee_end = dt.datetime.fromtimestamp(theirs["end_time"], tz=dt.UTC)
        assert abs((ours.end_time - shopee_end).total_seconds()) <= 5, vid
        assert item.attempts - len(shopee.by_voucher[vid]) in ((0, 1) if killed else (0,))
    for voucher in fleet.refused:
        item = items[voucher.voucher_id]
        assert (item.state, item.error) == (ItemState.REFUSED, PERMISSION_ERROR)
        calls = len(shopee.by_voucher[voucher.voucher_id])
        assert item.attempts - calls in ((0, 1) if killed else (0,))
    for voucher in fleet.skipped:
        assert items[voucher.voucher_id].state == ItemState.SKIPPED
        assert items[voucher.voucher_id].attempts == 0
    not_endable = [v.voucher_id for v in fleet.refused + fleet.skipped]
    assert not Voucher.objects.filter(voucher_id__in=not_endable, ended_at__isnull=False).exists()
    assert not Voucher.objects.filter(end_sent_at__isnull=False).exists()
    assert not Voucher.objects.filter(end_claim_item__isnull=False).exists()
    # Every ended voucher is ended at Shopee, in the past and before its original end.
    now = timezone.now().timestamp()
    for voucher in Voucher.objects.filter(ended_at__isnull=False):
        shopee_end = shopee.vouchers[voucher.voucher_id]["end_time"]
        assert shopee_end < fleet.original_end[voucher.voucher_id] and shopee_end <= now
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()
    for token in ShopToken.objects.select_related("shop"):
        assert token.access_token == shopee.shops[token.shop.shop_id]["access_token"]


def check_fault_rate(sandbox, shopee: ShopeeSide, *, rate=0.2):
    """About `rate` of the calls on each faulty path were hit: the run really was under fire."""
    for path in {rule["path"] for rule in sandbox.control.faults() if rule["rate"]}:
        calls = shopee.on(path)
        hit = [call for call in calls if call.fault not in (None, "latency")]
        assert len(hit) >= 10 and abs(len(hit) / len(calls) - rate) < 0.05, (path, len(hit))


def check_audit_log_after_kill(shopee: ShopeeSide, *, in_flight: int) -> set:
    """One audit row per HTTP attempt, when a worker was killed mid-call (no other faults).

    The killed worker leaves a `pending` row for each request it had in flight: sent and
    answered (Shopee has a request_id no row has: *unrecorded*), or never sent. Every other
    row is complete and matches one call by request_id. Returns the unrecorded request_ids.
    """
    rows = list(ShopeeCall.objects.values("endpoint", "voucher_shopee_id", "request_id", "outcome"))
    pending = [row for row in rows if row["outcome"] == "pending"]
    complete = [row for row in rows if row["outcome"] != "pending"]
    assert all(row["request_id"] for row in complete)
    assert all(call.request_id for call in shopee.calls)
    recorded = Counter(row["request_id"] for row in complete)
    assert set(recorded.values()) <= {1}, "a request_id recorded twice"
    answered = {call.request_id: call for call in shopee.calls}
    assert set(recorded) <= set(answered)
    unrecorded = [call for call in shopee.calls if call.request_id not in recorded]
    assert len(unrecorded) <= len(pending) <= in_flight, (len(unrecorded), len(pending))
    assert Counter((call.path, call.voucher_id) for call in unrecorded) <= Counter(
        (row["endpoint"], row["voucher_shopee_id"]) for row in pending
    )
    assert len(complete) == len(shopee.calls) - len(unrecorded)
    return {call.request_id for call in unrecorded}
