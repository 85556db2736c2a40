"""What must hold after a run under faults, checked from three sides: Shopee's (the sandbox's
call log and state), the database (items, vouchers, run) and the Shopee call log (`ShopeeCall`,
checked by `tests.faults.shopee_log`). This module has the end_voucher path, and the database
checks the delete path reuses (`tests.faults.invariants_delete`).

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
from collections import Counter

from django.utils import timezone

from runs.models import EndRun, ItemState, RunStatus
from runs.services.control import run_progress
from shops.models import Shop, ShopToken
from tests.faults.shopee_log import (
    END,
    PERMISSION_ERROR,
    Call,
    ShopeeSide,
    recorded_refusals,
    story_problems,
)
from vouchers.models import Voucher

EXPIRED_ERROR = "voucher.update_end_voucher_error"


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
        problems += story_problems(vid, calls, unrecorded=unrecorded)
        if any(call.error == EXPIRED_ERROR for call in calls):
            problems.append(f"{vid}: end_voucher sent for a voucher Shopee had ended")
        if vid in refused:
            refusals = recorded_refusals(calls, END, unrecorded=unrecorded)
            if len(refusals) != 1:
                problems.append(f"{vid}: refused {len(refusals)} times, not once")
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    return applied_by_voucher


def check_database(run, shopee: ShopeeSide, fleet, *, killed=False):
    """The run finished with counts matching its items, and our records match Shopee's.

    An item's attempts are its HTTP calls; `killed`: one more where a killed worker recorded
    an attempt that never left.
    """
    items = check_run_counts(
        run,
        fleet.all,
        ended=len(fleet.endable),
        refused=len(fleet.refused),
        skipped=len(fleet.skipped),
    )
    check_ended(items, shopee, fleet.endable, fleet.original_end, killed=killed)
    check_refused(items, shopee, fleet.refused, killed=killed)
    check_skipped(items, fleet.skipped)
    check_settled(shopee)


def check_run_counts(run, vouchers, **expected) -> dict:
    """The run finished, its counts by state are `expected` (0 for the others), in total and
    shop by shop (none pending or failed). Returns its items by Shopee's voucher id."""
    run = EndRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.FINISHED, run.status
    progress = run_progress(run=run)
    assert progress.counts == dict.fromkeys(ItemState.values, 0) | expected
    assert sum(progress.counts.values()) == run.items.count() == len(vouchers)
    per_shop = Counter(voucher.shop.shop_id for voucher in vouchers)
    for shop in progress.shops:
        assert sum(shop["counts"].values()) == per_shop[shop["shop_id"]]
        assert shop["counts"]["pending"] == shop["counts"]["failed"] == 0
    return {item.voucher_shopee_id: item for item in run.items.all()}


def attempts_match(item, shopee: ShopeeSide, *, killed) -> bool:
    """An item's attempts are its HTTP calls; one more where a killed worker recorded an
    attempt that never left."""
    calls = len(shopee.by_voucher.get(item.voucher_shopee_id, []))
    return item.attempts - calls in ((0, 1) if killed else (0,))


def check_ended(items, shopee: ShopeeSide, endable, original_end, *, killed=False):
    """Exactly the `endable` vouchers are marked ended, each on Shopee's word, with Shopee's end
    time, which is in the past and before the voucher's original end."""
    ids = [voucher.voucher_id for voucher in endable]
    vouchers = {v.voucher_id: v for v in Voucher.objects.filter(voucher_id__in=ids)}
    assert set(vouchers) == set(ids)
    for vid, ours in vouchers.items():
        item, theirs = items[vid], shopee.vouchers[vid]
        assert item.state == ItemState.ENDED, (vid, item.state, item.reason)
        # Marked ended only on Shopee's word: the success answer, or get_voucher's record.
        confirming = {c.request_id for c in shopee.by_voucher[vid] if c.succeeded}
        assert item.request_id in confirming, vid
        assert ours.ended_at is not None
        shopee_end = dt.datetime.fromtimestamp(theirs["end_time"], tz=dt.UTC)
        assert abs((ours.end_time - shopee_end).total_seconds()) <= 5, vid
        assert attempts_match(item, shopee, killed=killed), vid
    ended = Voucher.objects.filter(ended_at__isnull=False)
    marked = set(ended.values_list("voucher_id", flat=True))
    assert marked == set(vouchers), "marked ended though Shopee did not end it"
    now = timezone.now().timestamp()
    for vid in marked:
        shopee_end = shopee.vouchers[vid]["end_time"]
        assert shopee_end < original_end[vid] and shopee_end <= now


def check_refused(items, shopee: ShopeeSide, refused, *, killed=False):
    for voucher in refused:
        item = items[voucher.voucher_id]
        assert (item.state, item.error) == (ItemState.REFUSED, PERMISSION_ERROR)
        assert attempts_match(item, shopee, killed=killed), voucher.voucher_id


def check_skipped(items, skipped, *, reason=None):
    for voucher in skipped:
        item = items[voucher.voucher_id]
        assert (item.state, item.attempts) == (ItemState.SKIPPED, 0)
        assert reason is None or item.reason == reason, item.reason


def check_settled(shopee: ShopeeSide):
    """No write left in flight or claimed; every shop still connected, with Shopee's token."""
    assert not Voucher.objects.filter(end_sent_at__isnull=False).exists()
    assert not Voucher.objects.filter(end_claim_item__isnull=False).exists()
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()
    for token in ShopToken.objects.select_related("shop"):
        assert token.access_token == shopee.shops[token.shop.shop_id]["access_token"]
