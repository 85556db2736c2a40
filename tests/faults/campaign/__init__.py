"""The fault suite's campaign leg (tests/faults/test_campaign_faults.py): a mixed campaign of
every kind (`fleet`), Shopee's side of it and the audit rows (`side`), and what must hold after
its run (`invariants`)."""

import pytest

# A failing invariant shows its values, as an assert in a test module does.
pytest.register_assert_rewrite(
    "tests.faults.campaign.fleet",
    "tests.faults.campaign.invariants",
    "tests.faults.campaign.side",
)
