import pytest

# A failing invariant shows its values, as an assert in a test module does.
pytest.register_assert_rewrite(
    "tests.faults.invariants",
    "tests.faults.invariants_delete",
    "tests.faults.scenarios",
    "tests.faults.shopee_log",
)
