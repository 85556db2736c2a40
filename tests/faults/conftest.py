"""Fixtures of the fault suite: a fleet of 1,000 vouchers over 10 shops, mirrored at Shopee.

The fleet mixes what a real selection holds: vouchers Shopee ends, vouchers Shopee refuses
(part of a voucher campaign, which no list of Shopee's shows, so only the refusal tells), and
vouchers the run skips without a call (expired or upcoming).
"""

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from vouchers.models import Voucher

SHOPS = 10
PER_SHOP = 100
REFUSED_PER_SHOP = 4  # in a voucher campaign: refused with a permission error
EXPIRED_PER_SHOP = 1
UPCOMING_PER_SHOP = 1

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


@pytest.fixture
def fleet(sandbox):
    """1,000 vouchers over 10 shops, Shopee's copy identical except the refused ones."""
    now = timezone.now().replace(microsecond=0)
    ongoing = {"start_time": now - dt.timedelta(days=1), "end_time": now + dt.timedelta(days=7)}
    expired = {"start_time": now - dt.timedelta(days=8), "end_time": now - dt.timedelta(days=1)}
    upcoming = {"start_time": now + dt.timedelta(days=1), "end_time": now + dt.timedelta(days=8)}
    kinds = (
        ["endable"] * (PER_SHOP - REFUSED_PER_SHOP - EXPIRED_PER_SHOP - UPCOMING_PER_SHOP)
        + ["refused"] * REFUSED_PER_SHOP
        + ["expired"] * EXPIRED_PER_SHOP
        + ["upcoming"] * UPCOMING_PER_SHOP
    )
    times = {"endable": ongoing, "refused": ongoing, "expired": expired, "upcoming": upcoming}
    random.Random(SHOPS).shuffle(kinds)  # refusals and skips spread through each shop's queue
    built = []
    for _ in range(SHOPS):
        shop = ShopTokenFactory().shop
        built += [(kind, VoucherFactory.build(shop=shop, **times[kind])) for kind in kinds]
    Voucher.objects.bulk_create([voucher for _, voucher in built])
    by_kind = {"endable": [], "refused": [], "skipped": []}
    for kind, voucher in built:
        by_kind["skipped" if kind in ("expired", "upcoming") else kind].append(voucher)
    sandbox.mirror(changes={voucher: {"voucher_campaign": True} for voucher in by_kind["refused"]})
    return Fleet(
        endable=by_kind["endable"],
        refused=by_kind["refused"],
        skipped=by_kind["skipped"],
        original_end={v.voucher_id: int(v.end_time.timestamp()) for _, v in built},
    )
