"""What must hold after a campaign run under faults, every kind at once, from Shopee's side (the
sandbox's call log and state) and the database. The audit rows are checked by
`tests.faults.campaign.side`.

Stopped exactly once, precisely: walking each promotion's calls in the order Shopee received
them, a write (end, delete or switch off) is *applied* when Shopee answered it with success, or
when its answer was lost by a phase-"after" fault (Shopee applied it, then the answer was
dropped) before any other write of it was applied. Then, for every promotion:

- one to stop has exactly one applied write, of the planned action (an ongoing one ended, or a
  shop flash sale switched off; an upcoming one deleted), and no write reaches Shopee after it:
  a write without a usable (or, after a killed worker, recorded) answer is followed by that
  promotion's own read (get_voucher, get_discount, ...) before anything else is sent;
- Shopee's record says stopped exactly where its log says a write was applied: ended (its end
  moved to the applied call's time), deleted (gone; a flash sale keeps status 0) or switched off
  (status 2); every other promotion is untouched;
- one Shopee refuses (a voucher campaign's, a bundle deal Shopee created) is refused once and
  never retried; one skipped (Shopee-managed by its list, a discount started less than an hour
  ago, a flash sale already switched off) gets no call at all;
- our records say ended or deleted exactly for what Shopee stopped, nothing is left claimed or
  in flight, and each item's attempts are its calls.
"""

from promotions.models import Promotion
from runs.models import EndRun, ItemState, RunStatus
from shops.models import Shop, ShopToken
from tests.faults.campaign.side import CampaignSide, action_of
from vouchers.models import Voucher

FLASH_DELETED, FLASH_DISABLED = 0, 2
REFUSALS = {  # Shopee's refusals that are final: the promotion is not ours to stop
    "voucher.operate_voucher_permission_error",
    "bundle.bundle_deal_no_auth_update",
}


def applied_writes(calls, *, stoppable: bool, lost_after: bool) -> list:
    applied = []
    for call in calls:
        if not call.write or applied:
            continue
        if call.succeeded or (lost_after and stoppable and call.envelope is None):
            applied.append(call)
    return applied


def check_stopped_once(side: CampaignSide, fleet, *, lost_after=False, unrecorded=()) -> dict:
    """Every promotion to stop stopped once, as planned; nothing else changed; nothing sent
    after. Returns {target: the applied write}."""
    problems, applied_by_target = [], {}
    for target, outcome in fleet.expected.items():
        calls = side.by_target.get(target, [])
        stoppable = outcome in ("end", "disable", "delete")
        applied = applied_writes(calls, stoppable=stoppable, lost_after=lost_after)
        problems += story_problems(target, calls, unrecorded=unrecorded)
        before, now = fleet.original[target], side.records.get(target)
        if stoppable:
            if len(applied) != 1:
                problems.append(f"{target}: applied {len(applied)} times")
                continue
            write = applied[0]
            applied_by_target[target] = write
            if action_of(write.api) != outcome:
                problems.append(f"{target}: {write.api} sent, {outcome} planned")
            after = calls[calls.index(write) + 1 :]
            if any(call.write for call in after):
                problems.append(f"{target}: a write sent after Shopee applied one")
            if not stopped(target, outcome, before, now, write.time):
                problems.append(f"{target}: Shopee's record {now} is not {outcome}")
            continue
        if applied or now != before:
            problems.append(f"{target}: changed at Shopee though it should not be")
        if outcome == "refused":
            refusals = [c for c in calls if c.error in REFUSALS and c.request_id not in unrecorded]
            if len(refusals) != 1:
                problems.append(f"{target}: refused {len(refusals)} times, not once")
        elif calls:
            problems.append(f"{target}: skipped, yet {len(calls)} call(s) were sent")
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    return applied_by_target


def stopped(target, action, before, now, when) -> bool:
    """Whether Shopee's record `now` is `before` stopped by `action` at about `when`."""
    module, _ = target
    if module == "shop_flash_sale":
        status = FLASH_DELETED if action == "delete" else FLASH_DISABLED
        return now is not None and now["status"] == status
    if action == "delete":
        return now is None
    return (
        now is not None
        and now["end_time"] < before["end_time"]
        and when - 1 <= now["end_time"] <= when + 2
    )


def story_problems(target, calls, *, unrecorded=()) -> list[str]:
    """A write without a usable (or recorded) answer must be followed by the promotion's own
    read before anything else is sent; a final refusal our side recorded is its last call."""
    problems = []
    for call, following in zip(calls, calls[1:], strict=False):
        unknown = call.envelope is None or call.request_id in unrecorded
        if call.write and unknown and not following.get:
            problems.append(f"{target}: a {call.api} without answer was not checked first")
        if call.error in REFUSALS and not unknown:
            problems.append(f"{target}: a refusal was followed by another call")
    return problems


def check_campaign_database(run, side: CampaignSide, fleet, applied: dict, *, killed=False):
    """The run finished; its items and our records match what Shopee did."""
    run = EndRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.FINISHED, run.status
    items = {(item.kind, item.voucher_shopee_id): item for item in run.items.all()}
    expected_states = {
        "end": ItemState.ENDED,
        "disable": ItemState.ENDED,
        "delete": ItemState.DELETED,
        "refused": ItemState.REFUSED,
    }
    problems = []
    for target, outcome in fleet.expected.items():
        item = items.get(target)
        if outcome == "skip":
            if item is not None and (item.state, item.attempts) != (ItemState.SKIPPED, 0):
                problems.append(f"{target}: skipped, item {item.state} {item.attempts}")
            continue
        if item is None:
            problems.append(f"{target}: no item")
            continue
        if item.state != expected_states[outcome]:
            problems.append(f"{target}: item {item.state} ({item.reason}), {outcome} expected")
        calls = len(side.by_target.get(target, []))
        if item.attempts - calls not in ((0, 1) if killed else (0,)):
            problems.append(f"{target}: {item.attempts} attempts for {calls} calls")
        if target in applied:
            # Marked on Shopee's word: the write's answer, or the read that settled it.
            confirming = {
                c.request_id for c in side.by_target[target] if c.request_id and c.envelope
            }
            if item.request_id not in confirming:
                problems.append(f"{target}: item's request_id is none of Shopee's answers")
    problems += records_problems(fleet)
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    check_settled(side)


def records_problems(fleet) -> list[str]:
    """Our records say ended (or switched off) and deleted for exactly what Shopee stopped."""
    ended = set(fleet.targets("end", "disable"))
    deleted = set(fleet.targets("delete"))
    marked_ended = {
        ("voucher", v)
        for v in Voucher.objects.filter(ended_at__isnull=False).values_list("voucher_id", flat=True)
    }
    marked_deleted = {
        ("voucher", v)
        for v in Voucher.objects.filter(deleted_at__isnull=False).values_list(
            "voucher_id", flat=True
        )
    }
    promotions = Promotion.objects.values_list("kind", "promotion_id", "ended_at", "deleted_at")
    for kind, promotion_id, ended_at, deleted_at in promotions:
        if ended_at is not None:
            marked_ended.add((kind, promotion_id))
        if deleted_at is not None:
            marked_deleted.add((kind, promotion_id))
    problems = []
    if marked_ended != ended:
        problems.append(f"marked ended: {sorted(marked_ended ^ ended)[:5]} differ")
    if marked_deleted != deleted:
        problems.append(f"marked deleted: {sorted(marked_deleted ^ deleted)[:5]} differ")
    return problems


def check_settled(side: CampaignSide):
    """No write left in flight or claimed; every shop still connected, with Shopee's token."""
    for model in (Voucher, Promotion):
        assert not model.objects.filter(end_sent_at__isnull=False).exists(), model
        assert not model.objects.filter(end_claim_item__isnull=False).exists(), model
    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()
    for token in ShopToken.objects.select_related("shop"):
        assert token.access_token == side.shops[token.shop.shop_id]["access_token"]


def check_campaign_fault_rate(sandbox, side: CampaignSide, *, rate=0.2):
    """About `rate` of the calls on the faulty paths (all kinds together) were hit."""
    faulty = {rule["path"] for rule in sandbox.control.faults() if rule["rate"]}
    calls = side.on(lambda call: call.path in faulty)
    hit = [call for call in calls if call.fault not in (None, "latency")]
    writes = [call for call in calls if call.write]
    assert len([call for call in hit if call.write]) >= 10, len(hit)
    assert abs(len([c for c in hit if c.write]) / len(writes) - rate) < 0.1
