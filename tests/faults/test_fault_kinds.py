"""A 1,000-voucher run under each kind of fault, hitting 20% of the calls it makes.

One run per kind, processed in this process as a worker would (`finish_runs`). Faults hit
end_voucher and, for the kinds that leave the outcome unknown, get_voucher too (the engine's
check before it sends again). Rules use a fixed seed; which voucher a fault hits still depends
on timing, so what is asserted are the invariants of `tests.faults.invariants`, not call counts.
"""

from dataclasses import dataclass, field

import pytest

from tests.admin.helpers import finish_runs
from tests.faults.invariants import (
    END,
    GET,
    REFRESH,
    ShopeeSide,
    check_audit_log,
    check_database,
    check_exactly_once,
    check_fault_rate,
)
from vouchers.models import ShopeeCall, Voucher
from vouchers.services.runs.create import run_create

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

RATE = 0.2
HTML_500 = "<html><head><title>500</title></head><body><h1>Internal Server Error</h1></body></html>"
NO_ANSWER = "The connection to Shopee failed or was dropped before an answer."


@dataclass
class Scenario:
    rules: list
    lost_messages: tuple = ()  # the client's message for a call that got no usable answer
    lost_after: bool = False  # a lost end_voucher answer was applied by Shopee first
    settings: dict = field(default_factory=dict)


def on_end_and_get(**fault):
    """The same fault on end_voucher and on get_voucher, each with its own seeded draw."""
    return [
        {"path": END, "rate": RATE, "seed": 11, **fault},
        {"path": GET, "rate": RATE, "seed": 12, **fault},
    ]


SCENARIOS = {
    "html-500": Scenario(
        on_end_and_get(kind="http_status", status=500, content_type="text/html", body=HTML_500),
        lost_messages=("Shopee answered HTTP 500 with a body that is not JSON.",),
    ),
    # Each hung call holds a slot for the whole client timeout (1 s): twice the default
    # concurrency keeps this run near the others' time.
    "timeout": Scenario(
        on_end_and_get(kind="hang", hang_seconds=1.5),
        lost_messages=("No answer from Shopee within 1 s (timeout).",),
        settings={"END_RUN_CONCURRENCY": 16},
    ),
    "drop-before": Scenario(
        on_end_and_get(kind="drop", phase="before"), lost_messages=(NO_ANSWER,)
    ),
    "drop-after": Scenario(
        on_end_and_get(kind="drop", phase="after"), lost_messages=(NO_ANSWER,), lost_after=True
    ),
    "non-json": Scenario(
        on_end_and_get(kind="non_json", body="upstream connect error or disconnect/reset"),
        lost_messages=("Shopee answered HTTP 200 with a body that is not JSON.",),
    ),
    "rate-limit": Scenario(
        [
            {
                "path": END,
                "rate": RATE,
                "seed": 13,
                "kind": "shopee_error",
                "error": "error_rate_limit",
                "message": "Too many requests, please try again later.",
                "status": 429,
            }
        ]
    ),
    # Half in each of Shopee's two wordings: 10%, then 1/9 of the other 90%, is 20%.
    "invalid-token": Scenario(
        [
            {
                "path": END,
                "rate": 0.1,
                "seed": 14,
                "kind": "shopee_error",
                "error": "invalid_acceess_token",
                "message": "Invalid access_token.",
                "status": 403,
            },
            {
                "path": END,
                "rate": 1 / 9,
                "seed": 15,
                "kind": "shopee_error",
                "error": "error_auth",
                "message": "Invalid access_token.",
            },
        ]
    ),
}


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
    check_kind(name, shopee)


def check_kind(name, shopee):
    """What is particular to a kind of fault."""
    rows = ShopeeCall.objects.all()
    if name == "rate-limit":
        # A rate-limited request was not applied: resent at once, never checked first.
        assert not shopee.on(GET) and not shopee.on(REFRESH)
        limited = rows.filter(error="error_rate_limit")
        assert limited.count() == len([c for c in shopee.on(END) if c.fault]) > 0
        assert set(limited.values_list("outcome", "error_kind").distinct()) == {
            ("refused", "rate_limit")
        }
    elif name == "invalid-token":
        # Each rejection is followed by a refresh (or by the pair another flight got meanwhile)
        # and the call is sent again; the shops keep working.
        rejected = rows.filter(endpoint=END, error_kind="authorization")
        refreshes = shopee.on(REFRESH)
        assert not shopee.on(GET)
        assert 0 < len(refreshes) <= rejected.count()
        assert all(call.succeeded for call in refreshes)
        assert rows.filter(endpoint=REFRESH, outcome="success").count() == len(refreshes)
    else:
        # Every end_voucher without a usable answer was checked with get_voucher.
        assert shopee.on(GET)
        assert not shopee.on(REFRESH)
