"""What must hold after a run that also deletes upcoming vouchers, under faults: the
delete_voucher path, from Shopee's side (the sandbox's call log and state) and the database.
The run's ongoing vouchers are checked by the end_voucher invariants (`tests.faults.invariants`),
and the call log by `tests.faults.shopee_log.check_audit_log`.

Deleted exactly once, precisely: walking each voucher's calls in the order Shopee received them,
a delete_voucher call is *applied* when Shopee answered it with success, or when its answer was
lost by a phase-"after" fault while Shopee still had the voucher (the first such call: once it
is gone, Shopee answers common.error_not_found and deletes nothing). Then:

- a deletable voucher has exactly one applied delete, and Shopee no longer has it; after the
  applied delete no delete_voucher reaches Shopee at all: our side knows, because a delete
  without a usable (or, after a killed worker, recorded) answer is followed by get_voucher
  before anything else is sent, and get_voucher's "not found" means our delete was applied;
- so no delete_voucher is ever answered "not found", and no end_voucher is sent for an upcoming
  voucher;
- a refused voucher (a voucher campaign's) is refused once, never deleted, and Shopee keeps it
  unchanged; a Shopee-managed one gets no call at all;
- our records say deleted (`deleted_at`) for exactly the vouchers Shopee deleted.
"""

from runs.models import ItemState
from runs.services.create import SKIP_SHOPEE_MANAGED
from tests.faults.invariants import (
    attempts_match,
    check_ended,
    check_refused,
    check_run_counts,
    check_settled,
    check_skipped,
)
from tests.faults.shopee_log import (
    DELETE,
    END,
    GET,
    NOT_FOUND,
    Call,
    ShopeeSide,
    recorded_refusals,
    story_problems,
)
from vouchers.models import Voucher

CONFIRMED = "confirmed with get_voucher"


def applied_deletes(calls, *, deletable: bool, lost_after: bool) -> list[Call]:
    """The delete_voucher calls of one voucher that Shopee applied (see the module docstring)."""
    applied = []
    for call in calls:
        if call.path != DELETE:
            continue
        lost_but_applied = lost_after and deletable and call.envelope is None and not applied
        if call.succeeded or lost_but_applied:
            applied.append(call)
    return applied


def check_deleted_exactly_once(
    shopee: ShopeeSide, fleet, *, lost_after=False, unrecorded=()
) -> dict:
    """Every deletable voucher deleted once at Shopee, nothing else deleted, nothing sent after.

    `unrecorded`: request_ids Shopee answered but our side never recorded (a killed worker).
    Returns {voucher_id: the applied delete_voucher call}.
    """
    problems = []
    applied_by_voucher = {}
    deletable = {voucher.voucher_id for voucher in fleet.deletable}
    refused = {voucher.voucher_id for voucher in fleet.refused}
    for voucher in fleet.deletable + fleet.refused + fleet.managed:
        vid = voucher.voucher_id
        calls = shopee.by_voucher.get(vid, [])
        applied = applied_deletes(calls, deletable=vid in deletable, lost_after=lost_after)
        problems += story_problems(vid, calls, unrecorded=unrecorded)
        if any(call.path == END for call in calls):
            problems.append(f"{vid}: end_voucher sent for an upcoming voucher")
        if any(call.path == DELETE and call.error == NOT_FOUND for call in calls):
            problems.append(f"{vid}: delete_voucher sent for a voucher Shopee no longer had")
        if vid in deletable:
            if len(applied) != 1:
                problems.append(f"{vid}: deleted {len(applied)} times")
                continue
            applied_by_voucher[vid] = applied[0]
            after = calls[calls.index(applied[0]) + 1 :]
            if any(call.path == DELETE for call in after):
                problems.append(f"{vid}: delete_voucher sent after Shopee deleted it")
            if vid in shopee.vouchers:
                problems.append(f"{vid}: Shopee still has it")
            continue
        record = shopee.vouchers.get(vid)
        if applied or record is None:
            problems.append(f"{vid}: deleted at Shopee though it should not be")
        elif (record["start_time"], record["end_time"]) != times_of(voucher):
            problems.append(f"{vid}: changed at Shopee though it should not be")
        if vid in refused:
            refusals = recorded_refusals(calls, DELETE, unrecorded=unrecorded)
            if len(refusals) != 1:
                problems.append(f"{vid}: refused {len(refusals)} times, not once")
        elif calls:
            problems.append(f"{vid}: managed by Shopee, yet {len(calls)} call(s) were sent")
    gone = {voucher.voucher_id for voucher in fleet.all} - set(shopee.vouchers)
    if gone != deletable:
        problems.append(f"gone at Shopee: {len(gone)}, deletable: {len(deletable)}")
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    return applied_by_voucher


def times_of(voucher) -> tuple[int, int]:
    return int(voucher.start_time.timestamp()), int(voucher.end_time.timestamp())


def check_deletion_database(run, shopee: ShopeeSide, fleet, *, killed=False):
    """The run finished with counts matching its items, and our records match Shopee's: deleted
    on Shopee's word, for exactly the vouchers Shopee deleted. `killed`: see `attempts_match`."""
    items = check_run_counts(
        run,
        fleet.all,
        deleted=len(fleet.deletable),
        ended=len(fleet.ongoing),
        refused=len(fleet.refused),
        skipped=len(fleet.managed),
    )
    ids = [voucher.voucher_id for voucher in fleet.deletable]
    vouchers = {v.voucher_id: v for v in Voucher.objects.filter(voucher_id__in=ids)}
    assert set(vouchers) == set(ids)
    for vid, ours in vouchers.items():
        item, calls = items[vid], shopee.by_voucher[vid]
        assert item.state == ItemState.DELETED, (vid, item.state, item.reason)
        # Marked deleted only on Shopee's word: its success answer, or get_voucher's "not found".
        succeeded = {c.request_id for c in calls if c.path == DELETE and c.succeeded}
        not_found = {c.request_id for c in calls if c.path == GET and c.error == NOT_FOUND}
        assert item.request_id in succeeded | not_found, vid
        assert (CONFIRMED in item.reason) == (item.request_id in not_found), item.reason
        assert len(not_found) <= 1, vid
        assert ours.deleted_at is not None and ours.deleted_by_id == run.created_by_id
        assert ours.ended_at is None
        assert attempts_match(item, shopee, killed=killed), vid
    deleted = Voucher.objects.filter(deleted_at__isnull=False)
    assert set(deleted.values_list("voucher_id", flat=True)) == set(vouchers)
    check_ended(items, shopee, fleet.ongoing, fleet.original_end, killed=killed)
    check_refused(items, shopee, fleet.refused, killed=killed)
    check_skipped(items, fleet.managed, reason=SKIP_SHOPEE_MANAGED)
    check_settled(shopee)
