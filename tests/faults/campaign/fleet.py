"""A mixed campaign for the fault suite: every kind of promotion over a few shops, at Shopee.

Per shop, each kind in the states a campaign meets: ongoing (ended, a shop flash sale switched
off), upcoming (deleted), created by Shopee (skipped before any call; a bundle deal's lists do
not say so, so Shopee refuses its write), in a voucher campaign (refused: no list shows it), a
discount that started ten minutes ago (skipped: Shopee ends one only after an hour) and a flash
sale already switched off (skipped). Only the shops are in our database; "Stop a campaign"
reads the rest: its read job, the preview plan, then `campaign_run_create`, as the pages do.
"""

import random
from dataclasses import dataclass, field

from jobs.services.campaign_read import campaign_read_create
from runs.admin.campaign.reads import campaign_reads
from runs.services.campaign import campaign_run_create
from runs.services.campaign_plan import CampaignTerms, campaign_plan_build
from tests.factories import MERCHANDISER_PERMISSIONS, ShopTokenFactory, UserFactory
from tests.faults.campaign.side import ID_FIELDS, records_of
from tests.jobs.follow import finish_jobs

HOUR, DAY = 3600, 86400
KINDS = list(ID_FIELDS)
CAMPAIGN_PERMISSIONS = [
    *MERCHANDISER_PERMISSIONS,
    "runs.view_endrun",
    "vouchers.end_voucher",
    "vouchers.delete_voucher",
    *(f"promotions.{action}_{kind}" for kind in KINDS[1:] for action in ("end", "delete")),
]
# Per kind, one shop's promotions: (state, what the run does with it, extra fields at Shopee).
MIX = {
    "voucher": [("ongoing", "end", {})] * 8
    + [("upcoming", "delete", {})] * 3
    + [("ongoing", "refused", {"voucher_campaign": True}), ("ongoing", "skip", {"is_admin": True})],
    "discount": [("ongoing", "end", {})] * 4
    + [("upcoming", "delete", {})] * 2
    + [("ongoing", "skip", {"source": 1}), ("just_started", "skip", {})],
    "bundle_deal": [("ongoing", "end", {})] * 3
    + [("upcoming", "delete", {}), ("ongoing", "refused", {"shopee_created": True})],
    "add_on_deal": [("ongoing", "end", {})] * 3
    + [("upcoming", "delete", {}), ("ongoing", "skip", {"source": 0})],
    "follow_prize": [("ongoing", "end", {}), ("upcoming", "delete", {})],
    "shop_flash_sale": [
        ("ongoing", "disable", {}),
        ("upcoming", "delete", {}),
        ("upcoming", "skip", {"status": 3}),  # system_rejected
        ("ongoing", "skip", {"status": 2}),  # switched off already
    ],
}
FIRST_IDS = {
    "voucher": 7_600_000_000,
    "discount": 661_460_190_000_000,
    "bundle_deal": 313_000,
    "add_on_deal": 62_000,
    "follow_prize": 51_500,
    "shop_flash_sale": 669_260_840_000_000,
}


@dataclass
class CampaignFleet:
    expected: dict  # (module, id) -> "end", "disable", "delete", "refused" or "skip"
    original: dict = field(default_factory=dict)  # (module, id) -> Shopee's record before
    shops: list = field(default_factory=list)

    def targets(self, *outcomes) -> list:
        return [target for target, outcome in self.expected.items() if outcome in outcomes]


def times(state: str, now: int, n: int, kind: str) -> dict:
    if kind == "shop_flash_sale":  # one-hour slots
        start = now - HOUR // 2 if state == "ongoing" else now + (2 + n) * HOUR
        return {"start_time": start, "end_time": start + HOUR}
    start = {"ongoing": now - DAY, "just_started": now - 600}.get(state, now + DAY + n * 7 * DAY)
    return {"start_time": start, "end_time": start + 5 * DAY}


def campaign_fleet_build(sandbox, *, shops: int, seed: int) -> CampaignFleet:
    """`shops` connected shops, each with the MIX of every kind at Shopee (shuffled per shop
    with `seed`, so that refusals and skips spread through the queues)."""
    made = [ShopTokenFactory().shop for _ in range(shops)]
    document = sandbox.mirror()
    now = int(sandbox.control.now())
    rng = random.Random(seed)
    vouchers, promotions, expected = [], {kind: [] for kind in KINDS[1:]}, {}
    for shop_no, shop in enumerate(made):
        for kind, mix in MIX.items():
            rows = list(enumerate(mix))
            rng.shuffle(rows)
            for index, (state, outcome, extra) in rows:
                promotion_id = FIRST_IDS[kind] + shop_no * 100 + index
                record = {"shop_id": shop.shop_id, ID_FIELDS[kind]: promotion_id}
                record |= times(state, now, index, kind) | extra
                (vouchers if kind == "voucher" else promotions[kind]).append(record)
                expected[(kind, promotion_id)] = outcome
    sandbox.control.reset(document | {"vouchers": vouchers, "promotions": promotions})
    original = records_of(sandbox.control.state())
    return CampaignFleet(expected=expected, original=original, shops=made)


def campaign_user():
    return UserFactory(username="fault-campaigner", permissions=CAMPAIGN_PERMISSIONS)


def campaign_run_start(*, shops, user):
    """As the pages do it: read Shopee's lists (the read job, processed here), build the
    preview plan, confirm: the run over every kind, created but not yet processed."""
    terms = CampaignTerms(kinds=KINDS)
    job = campaign_read_create(actor=user, shops=shops, campaign=terms.as_rule(shops))
    finish_jobs(timeout=60)
    job.refresh_from_db()
    plan = campaign_plan_build(
        reads=campaign_reads(job), terms=terms, user=user, since=job.created_at
    )
    return campaign_run_create(
        plan=plan, actor=user, selection="fault suite: campaign", rule=terms.as_rule(shops)
    )
