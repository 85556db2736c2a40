"""A 1,000-voucher run under each kind of fault, hitting 20% of the calls it makes.

One run per kind, processed in this process as a worker would (`finish_runs`). Faults hit
end_voucher and, for the kinds that leave the outcome unknown, get_voucher too (the engine's
check before it sends again); the kinds are in `tests.faults.scenarios`. Which voucher a fault
hits depends on timing, so what is asserted are the invariants of `tests.faults.invariants`,
not call counts.
"""

import pytest

from runs.services.create import run_create
from tests.faults.invariants import check_database, check_exactly_once
from tests.faults.scenarios import RATE, check_kind, scenarios
from tests.faults.shopee_log import END, ShopeeSide, check_audit_log, check_fault_rate
from tests.pages import finish_runs
from vouchers.models import Voucher

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

SCENARIOS = scenarios(END)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_run_under_faults_ends_each_voucher_exactly_once(name, sandbox, fleet, staff, settings):
    scenario = SCENARIOS[name]
    for key, value in scenario.settings.items():
        setattr(settings, key, value)
    sandbox.control.set_faults(scenario.rules)

    run = run_create(vouchers=Voucher.objects.all(), actor=staff, selection="fault suite")
    finish_runs(timeout=120)

    shopee = ShopeeSide(sandbox)
    applied = check_exactly_once(shopee, fleet, lost_after=scenario.lost_after)
    check_audit_log(shopee, lost_messages=scenario.lost_messages)
    check_database(run, shopee, fleet)
    # Exactly the vouchers whose applied end lost its answer were ended on get_voucher's word.
    lost_but_applied = [call for call in applied.values() if call.envelope is None]
    confirmed = run.items.filter(reason__contains="confirmed with get_voucher").count()
    assert confirmed == len(lost_but_applied)
    assert bool(lost_but_applied) == scenario.lost_after
    check_fault_rate(sandbox, shopee, rate=RATE)
    check_kind(name, shopee, write=END)
