"""Fixtures of the fault suite: fleets of vouchers over several shops, mirrored at Shopee.

A fleet mixes what a real selection holds: vouchers Shopee ends (or deletes), vouchers Shopee
refuses (part of a voucher campaign, which no list of Shopee's shows, so only the refusal
tells), and vouchers the run skips without a call (expired, upcoming, or managed by Shopee).
"""

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from vouchers.models import Voucher
from vouchers.models.voucher import VoucherPurpose

SHOPS = 10
PER_SHOP = 100
REFUSED_PER_SHOP = 4  # in a voucher campaign: refused with a permission error
EXPIRED_PER_SHOP = 1
UPCOMING_PER_SHOP = 1

# The deletion fleet: 300 vouchers over 5 shops, most of them upcoming and deleted.
DELETION_SHOPS = 5
DELETION_KINDS = {"deletable": 46, "refused": 3, "admin": 1, "game": 1, "ongoing": 9}

# Twenty attempts, where an attempt is any HTTP call for the item (an end_voucher whose answer
# was lost costs two: itself and the get_voucher that checks it). With 20% faults on both
# paths an item gives up only after about ten faulty answers in a row: about 1e-7 a voucher.
MAX_ATTEMPTS = 20


@dataclass
class Fleet:
    endable: list
    refused: list
    skipped: list
    original_end: dict  # voucher_id -> Shopee's end_time (Unix seconds) before the run

    @property
    def all(self):
        return self.endable + self.refused + self.skipped


@dataclass
class DeletionFleet:
    """What a run with "also delete upcoming vouchers" is given."""

    deletable: list  # upcoming: deleted at Shopee
    refused: list  # upcoming, in a voucher campaign: Shopee refuses to delete them
    managed: list  # upcoming, managed by Shopee (is_admin, a shop game): skipped before any call
    ongoing: list  # ended by the same run
    original_end: dict  # voucher_id -> Shopee's end_time (Unix seconds) before the run

    @property
    def all(self):
        return self.deletable + self.refused + self.managed + self.ongoing

    @property
    def ending(self) -> Fleet:
        """The ongoing part, as the end_voucher invariants see a fleet."""
        return Fleet(endable=self.ongoing, refused=[], skipped=[], original_end=self.original_end)


@pytest.fixture(autouse=True)
def fault_settings(settings):
    """Pace high enough that a 1,000-voucher run takes seconds; retry quickly, and often."""
    settings.END_RUN_SHOP_RPS = 500.0
    settings.END_RUN_GLOBAL_RPS = 2000.0
    settings.END_RUN_MAX_ATTEMPTS = MAX_ATTEMPTS
    settings.END_RUN_CONCURRENCY = 8


@pytest.fixture
def staff(db):
    return UserFactory(username="fault-merch")


def fleet_build(*, shops, kinds, fields, seed):
    """`shops` shops with one voucher per entry of `kinds`, made with `fields[kind]`, in an order
    shuffled with `seed` (refusals and skips spread through each shop's queue). Returns
    {kind: [voucher, ...]} and {voucher_id: end_time in Unix seconds}."""
    kinds = list(kinds)
    random.Random(seed).shuffle(kinds)
    built = []
    for _ in range(shops):
        shop = ShopTokenFactory().shop
        built += [(kind, VoucherFactory.build(shop=shop, **fields[kind])) for kind in kinds]
    Voucher.objects.bulk_create([voucher for _, voucher in built])
    by_kind = {kind: [] for kind in fields}
    for kind, voucher in built:
        by_kind[kind].append(voucher)
    return by_kind, {v.voucher_id: int(v.end_time.timestamp()) for _, v in built}


def fleet_times():
    """Start and end times of an ongoing, an expired and an upcoming voucher, whole seconds."""
    now = timezone.now().replace(microsecond=0)
    day = dt.timedelta(days=1)
    return {
        "ongoing": {"start_time": now - day, "end_time": now + 7 * day},
        "expired": {"start_time": now - 8 * day, "end_time": now - day},
        "upcoming": {"start_time": now + day, "end_time": now + 8 * day},
    }


@pytest.fixture
def fleet(sandbox):
    """1,000 vouchers over 10 shops, Shopee's copy identical except the refused ones."""
    times = fleet_times()
    kinds = (
        ["endable"] * (PER_SHOP - REFUSED_PER_SHOP - EXPIRED_PER_SHOP - UPCOMING_PER_SHOP)
        + ["refused"] * REFUSED_PER_SHOP
        + ["expired"] * EXPIRED_PER_SHOP
        + ["upcoming"] * UPCOMING_PER_SHOP
    )
    fields = {"endable": times["ongoing"], "refused": times["ongoing"]}
    fields |= {"expired": times["expired"], "upcoming": times["upcoming"]}
    by_kind, original_end = fleet_build(shops=SHOPS, kinds=kinds, fields=fields, seed=SHOPS)
    sandbox.mirror(changes={voucher: {"voucher_campaign": True} for voucher in by_kind["refused"]})
    return Fleet(
        endable=by_kind["endable"],
        refused=by_kind["refused"],
        skipped=by_kind["expired"] + by_kind["upcoming"],
        original_end=original_end,
    )


@pytest.fixture
def deletion_fleet(sandbox):
    """300 vouchers over 5 shops for a run that also deletes upcoming vouchers: upcoming ones
    to delete (most), upcoming ones in a voucher campaign (at Shopee only: refused), upcoming
    ones managed by Shopee in our copy and Shopee's (skipped), and ongoing ones to end."""
    times = fleet_times()
    upcoming = times["upcoming"]
    fields = {
        "deletable": upcoming,
        "refused": upcoming,
        "admin": upcoming | {"is_admin": True},
        "game": upcoming | {"voucher_purpose": VoucherPurpose.SHOP_GAME},
        "ongoing": times["ongoing"],
    }
    kinds = [kind for kind, count in DELETION_KINDS.items() for _ in range(count)]
    by_kind, original_end = fleet_build(
        shops=DELETION_SHOPS, kinds=kinds, fields=fields, seed=DELETION_SHOPS
    )
    sandbox.mirror(changes={voucher: {"voucher_campaign": True} for voucher in by_kind["refused"]})
    return DeletionFleet(
        deletable=by_kind["deletable"],
        refused=by_kind["refused"],
        managed=by_kind["admin"] + by_kind["game"],
        ongoing=by_kind["ongoing"],
        original_end=original_end,
    )
