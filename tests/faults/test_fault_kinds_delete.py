"""A run that also deletes upcoming vouchers (300 vouchers), under each kind of fault hitting
20% of its delete_voucher calls and, for the kinds that leave the outcome unknown, of the
get_voucher checks that follow (`tests.faults.scenarios`).

The same run ends its ongoing vouchers (end_voucher, not faulted here: that path has
test_fault_kinds), skips the Shopee-managed ones and is refused the campaign ones. What is
asserted are the invariants of `tests.faults.invariants_delete`: each deletable voucher deleted
at Shopee exactly once, nothing else deleted, one audit row per HTTP attempt.
"""

import pytest

from runs.services.create import run_create
from tests.faults.invariants import check_exactly_once
from tests.faults.invariants_delete import (
    CONFIRMED,
    check_deleted_exactly_once,
    check_deletion_database,
)
from tests.faults.scenarios import RATE, check_kind, scenarios
from tests.faults.shopee_log import DELETE, LIST, ShopeeSide, check_audit_log, check_fault_rate
from tests.pages import finish_runs
from vouchers.models import Voucher

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

SCENARIOS = scenarios(DELETE)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_run_under_faults_deletes_each_upcoming_voucher_exactly_once(
    name, sandbox, deletion_fleet, staff, settings
):
    scenario = SCENARIOS[name]
    for key, value in scenario.settings.items():
        setattr(settings, key, value)
    sandbox.control.set_faults(scenario.rules)

    run = run_create(
        vouchers=Voucher.objects.all(),
        actor=staff,
        selection="fault suite: deletes",
        delete_upcoming=True,
    )
    finish_runs(timeout=120)

    shopee = ShopeeSide(sandbox)
    assert len(shopee.on(LIST)) == 2 * len({v.shop_id for v in deletion_fleet.all})
    applied = check_deleted_exactly_once(shopee, deletion_fleet, lost_after=scenario.lost_after)
    check_exactly_once(shopee, deletion_fleet.ending)
    check_audit_log(shopee, lost_messages=scenario.lost_messages)
    check_deletion_database(run, shopee, deletion_fleet)
    # Exactly the vouchers whose applied delete lost its answer were deleted on get_voucher's
    # word ("not found").
    lost_but_applied = [call for call in applied.values() if call.envelope is None]
    assert run.items.filter(reason__contains=CONFIRMED).count() == len(lost_but_applied)
    assert bool(lost_but_applied) == scenario.lost_after
    check_fault_rate(sandbox, shopee, rate=RATE)
    check_kind(name, shopee, write=DELETE)
