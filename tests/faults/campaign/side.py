"""Shopee's side of a campaign run under faults, every kind at once: the sandbox's call log read
per promotion, and the audit rows that must match it one for one.

A *target* is one promotion at Shopee: (module, Shopee id), the module being the path's
(`voucher`, `discount`, `bundle_deal`, `add_on_deal`, `follow_prize`, `shop_flash_sale`). A
write (end_*, delete_*, update_shop_flash_sale) carries its id in the JSON body, a read of one
promotion (get_voucher, get_discount, ..., get_follow_prize_detail) in the query; list reads
belong to no target.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from audit.models import ShopeeCall

ID_FIELDS = {
    "voucher": "voucher_id",
    "discount": "discount_id",
    "bundle_deal": "bundle_deal_id",
    "add_on_deal": "add_on_deal_id",
    "follow_prize": "campaign_id",
    "shop_flash_sale": "flash_sale_id",
}
GETS = {
    "voucher": "get_voucher",
    "discount": "get_discount",
    "bundle_deal": "get_bundle_deal",
    "add_on_deal": "get_add_on_deal",
    "follow_prize": "get_follow_prize_detail",
    "shop_flash_sale": "get_shop_flash_sale",
}
DISABLE_API = "update_shop_flash_sale"


def write_paths() -> list[str]:
    """Every path a campaign run writes with."""
    paths = []
    for module in ID_FIELDS:
        stop = DISABLE_API if module == "shop_flash_sale" else f"end_{module}"
        paths += [f"/api/v2/{module}/{stop}", f"/api/v2/{module}/delete_{module}"]
    return paths


def get_paths() -> list[str]:
    """Every path a run reads one promotion with (to settle a write whose answer was lost)."""
    return [f"/api/v2/{module}/{api}" for module, api in GETS.items()]


def split(path: str) -> tuple[str, str]:
    """(module, api) of an /api/v2/<module>/<api> path."""
    parts = path.split("/")
    return (parts[3], parts[4]) if len(parts) == 5 else ("", path)


def is_write(api: str) -> bool:
    return api.startswith(("end_", "delete_")) or api == DISABLE_API


def action_of(api: str) -> str:
    """The write's action as runs name it: "end", "delete" or "disable"."""
    return "disable" if api == DISABLE_API else api.split("_", 1)[0]


def target_of(path: str, query, body) -> tuple[str, int] | None:
    """The promotion a call is about, or None (a list read, a token refresh)."""
    module, api = split(path)
    if module not in ID_FIELDS or not (is_write(api) or api == GETS[module]):
        return None
    params = body if is_write(api) else query
    value = params.get(ID_FIELDS[module]) if isinstance(params, dict) else None
    return None if value is None else (module, int(value))


@dataclass(frozen=True)
class Call:
    """One request as Shopee (the sandbox) received it."""

    seq: int
    time: float
    path: str
    target: tuple[str, int] | None
    status: int | None
    response: object
    request_id: str | None
    fault: str | None
    json_body: bool = False  # Shopee could read the request's body as JSON

    @classmethod
    def from_log(cls, seq, entry):
        return cls(
            seq=seq,
            time=entry["time"],
            path=entry["path"],
            target=target_of(entry["path"], entry["query"], entry["body"]),
            status=entry["status"],
            response=entry["response"],
            request_id=entry["request_id"],
            fault=entry["fault"],
            json_body=isinstance(entry["body"], dict),
        )

    @property
    def api(self) -> str:
        return split(self.path)[1]

    @property
    def write(self) -> bool:
        return self.target is not None and is_write(self.api)

    @property
    def get(self) -> bool:
        return self.target is not None and not is_write(self.api)

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


class CampaignSide:
    """The sandbox's call log and state, read once after the run."""

    def __init__(self, sandbox):
        entries = sandbox.control.calls()
        self.calls = sorted(
            (Call.from_log(seq, entry) for seq, entry in enumerate(entries)),
            key=lambda call: (call.time, call.seq),
        )
        state = sandbox.control.state()
        self.now = state["now"]
        self.records = records_of(state)
        self.shops = {record["shop_id"]: record for record in state["shops"]}
        self.by_target = defaultdict(list)
        for call in self.calls:
            if call.target is not None:
                self.by_target[call.target].append(call)

    def on(self, predicate):
        return [call for call in self.calls if predicate(call)]


def records_of(state) -> dict:
    """{(module, id): Shopee's record} of every voucher and promotion in a sandbox state."""
    records = {("voucher", record["voucher_id"]): record for record in state["vouchers"]}
    for module, rows in state["promotions"].items():
        records |= {(module, record[ID_FIELDS[module]]): record for record in rows}
    return records


def audit_rows(*, after_id: int = 0) -> list[dict]:
    """The ShopeeCall rows after `after_id` (the run's, not the preview's read) in order, with
    the promotion each is about (from its request)."""
    rows = list(
        ShopeeCall.objects.filter(id__gt=after_id)
        .order_by("id")
        .values(
            "endpoint",
            "request",
            "request_id",
            "outcome",
            "error",
            "error_kind",
            "message",
            "attempt",
            "finished_at",
        )
    )
    for row in rows:
        request = row["request"] or {}
        row["target"] = target_of(row["endpoint"], request.get("query"), request.get("body"))
    return rows


def check_campaign_audit_log(side: CampaignSide, *, lost_messages=(), after_id=0):
    """One audit row per HTTP attempt, every kind alike (see shopee_log.check_audit_log): rows
    with a request_id match Shopee's answered calls one for one (path, promotion, error,
    outcome); the rest match the calls that got no usable answer, each `failed` (transient)
    with the client's message; per promotion, the rows tell the calls' story in order."""
    rows = audit_rows(after_id=after_id)
    assert len(rows) == len(side.calls), (len(rows), len(side.calls))
    pending = [row for row in rows if row["outcome"] == "pending"]
    assert not pending, f"{len(pending)} rows never completed: {pending[:3]}"

    with_id = Counter(row["request_id"] for row in rows if row["request_id"])
    assert set(with_id.values()) <= {1}, "a request_id recorded twice"
    answered = {call.request_id: call for call in side.calls if call.request_id}
    assert set(with_id) == set(answered)
    for row in rows:
        call = answered.get(row["request_id"])
        if call is None:
            continue
        assert (row["endpoint"], row["target"]) == (call.path, call.target)
        assert row["error"] == call.error
        assert row["outcome"] == ("success" if call.succeeded else "refused"), row

    without_id = [row for row in rows if not row["request_id"]]
    lost = [call for call in side.calls if not call.request_id]
    assert all(call.fault not in (None, "latency") for call in lost)
    assert Counter((r["endpoint"], r["target"]) for r in without_id) == Counter(
        (call.path, call.target) for call in lost
    )
    assert {(r["outcome"], r["error_kind"]) for r in without_id} <= {("failed", "transient")}
    assert {r["message"] for r in without_id} <= set(lost_messages)
    check_stories(side, rows)


def check_stories(side: CampaignSide, rows, *, unrecorded=()):
    """Per promotion, the audit rows are its calls, in Shopee's order (those the killed worker
    never recorded aside)."""
    by_target = defaultdict(list)
    for row in rows:
        if row["target"] is not None:
            by_target[row["target"]].append(row)
    for target, calls in side.by_target.items():
        story = [
            (r["endpoint"], r["request_id"] or None)
            for r in by_target[target]
            if not r["message"].startswith("no answer")
        ]
        expected = [(c.path, c.request_id) for c in calls if c.request_id not in unrecorded]
        assert story == expected, target
        if not unrecorded:  # numbered 1, 2, 3... as the item's attempts
            attempts = [r["attempt"] for r in by_target[target]]
            assert attempts == list(range(1, len(calls) + 1)), (target, attempts)


def check_campaign_audit_after_kill(side: CampaignSide, *, in_flight: int, after_id=0) -> set:
    """One audit row per HTTP attempt when a worker was killed mid-call (no other faults): the
    rows the dead worker left pending are closed ("no answer ..."), none stays pending, every
    other row matches one call by request_id. Returns the request_ids never recorded."""
    rows = audit_rows(after_id=after_id)
    assert not [row for row in rows if row["outcome"] == "pending"], "a row left pending"
    closed = [row for row in rows if row["message"].startswith("no answer")]
    complete = [row for row in rows if not row["message"].startswith("no answer")]
    assert all(row["outcome"] == "failed" and row["finished_at"] for row in closed)
    assert all(row["request_id"] for row in complete)
    assert all(call.request_id for call in side.calls)
    recorded = Counter(row["request_id"] for row in complete)
    assert set(recorded.values()) <= {1}, "a request_id recorded twice"
    answered = {call.request_id: call for call in side.calls}
    assert set(recorded) <= set(answered)
    unrecorded = [call for call in side.calls if call.request_id not in recorded]
    assert len(unrecorded) <= len(closed) <= in_flight, (len(unrecorded), len(closed))
    # A request the kill cut short reached Shopee without its whole body (no promotion id to
    # read): Shopee could not apply it. It matches a closed row by its path alone.
    cut = [call for call in unrecorded if call.target is None]
    assert not [call for call in cut if call.succeeded or call.json_body], cut
    assert Counter(call.path for call in unrecorded) <= Counter(row["endpoint"] for row in closed)
    assert Counter((call.path, call.target) for call in unrecorded if call.target) <= Counter(
        (row["endpoint"], row["target"]) for row in closed
    )
    assert len(complete) == len(side.calls) - len(unrecorded)
    ids = {call.request_id for call in unrecorded}
    check_stories(side, complete, unrecorded=ids)
    return ids
