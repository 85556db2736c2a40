"""Shopee's side of a run under faults, and the checks every path shares: one audit row
(`ShopeeCall`) per HTTP attempt, and a fault rate that really hit the run.

`ShopeeSide` reads the sandbox's call log and state once, after the run; each `Call` is one
request as Shopee received it, in the order Shopee received them. The path-specific invariants
are in `tests.faults.invariants` (end_voucher) and `tests.faults.invariants_delete`
(delete_voucher).
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from audit.models import ShopeeCall

END = "/api/v2/voucher/end_voucher"
DELETE = "/api/v2/voucher/delete_voucher"
GET = "/api/v2/voucher/get_voucher"
LIST = "/api/v2/voucher/get_voucher_list"
REFRESH = "/api/v2/auth/access_token/get"
WRITES = (END, DELETE)  # their voucher_id is in the JSON body, get_voucher's in the query
PERMISSION_ERROR = "voucher.operate_voucher_permission_error"
NOT_FOUND = "common.error_not_found"


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
        params = entry["body"] if entry["path"] in WRITES else entry["query"]
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


def check_fault_rate(sandbox, shopee: ShopeeSide, *, rate=0.2):
    """About `rate` of the calls on each faulty path were hit: the run really was under fire.

    "About": within 0.05, or three standard deviations on a path with few calls (a smaller
    run's get_voucher checks), where 0.05 would fail by chance.
    """
    for path in {rule["path"] for rule in sandbox.control.faults() if rule["rate"]}:
        calls = shopee.on(path)
        hit = [call for call in calls if call.fault not in (None, "latency")]
        tolerance = max(0.05, 3 * math.sqrt(rate * (1 - rate) / max(len(calls), 1)))
        assert len(hit) >= 10 and abs(len(hit) / len(calls) - rate) < tolerance, (path, len(hit))


def check_audit_log_after_kill(shopee: ShopeeSide, *, in_flight: int) -> set:
    """One audit row per HTTP attempt, when a worker was killed mid-call (no other faults).

    The killed worker leaves a `pending` row for each request it had in flight: sent and
    answered (Shopee has a request_id no row has: *unrecorded*), or never sent. The resumed run
    closes each of them with what it learnt (issue 18): a write once get_voucher settled its
    voucher ("no answer: checked with get_voucher, ended" / "... not ended"), anything else
    "no answer (worker stopped)"; none stays pending. Every other row is complete and matches
    one call by request_id. Returns the unrecorded request_ids.
    """
    rows = list(
        ShopeeCall.objects.values(
            "endpoint", "voucher_shopee_id", "request_id", "outcome", "message", "finished_at"
        )
    )
    assert not [row for row in rows if row["outcome"] == "pending"], "a row left pending"
    pending = [row for row in rows if row["message"].startswith("no answer")]
    complete = [row for row in rows if not row["message"].startswith("no answer")]
    assert all(row["outcome"] == "failed" and row["finished_at"] for row in pending)
    assert all(
        row["message"].startswith("no answer: checked with get_voucher, ")
        for row in pending
        if row["endpoint"] != GET
    )
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


def story_problems(vid, calls, *, unrecorded=()) -> list[str]:
    """What is wrong in one voucher's calls, whatever the path: a write (end_voucher or
    delete_voucher) without a usable answer, or without a recorded one after a killed worker
    (`unrecorded` request_ids), must be followed by get_voucher before anything else is sent;
    a permission refusal that our side recorded is final, the voucher's last call (one a killed
    worker never recorded is, to us, a write without answer)."""
    problems = []
    for call, following in zip(calls, calls[1:], strict=False):
        unknown = call.envelope is None or call.request_id in unrecorded
        if call.path in WRITES and unknown and following.path != GET:
            problems.append(f"{vid}: a {call.path} without answer was not checked first")
        if call.error == PERMISSION_ERROR and not unknown:
            problems.append(f"{vid}: a refusal was followed by another call")
    return problems


def recorded_refusals(calls, path, *, unrecorded=()) -> list:
    """The permission refusals of `path` that our side received and recorded."""
    return [
        call
        for call in calls
        if call.path == path
        and call.error == PERMISSION_ERROR
        and call.request_id not in unrecorded
    ]
