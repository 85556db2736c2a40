"""The circuit (dispatch/services/circuit.py): Shopee is taken as down only when every one of
the last calls found it down, probed one call at a time, and up again at its first answer."""

from dispatch.services.circuit import CLOSED, OPENED, Circuit
from shopee.errors import ShopeeBusinessError, ShopeeTransientError


def down(status=502):
    return ShopeeTransientError("no answer", http_status=status)


def test_it_opens_when_each_of_the_last_calls_found_shopee_down():
    circuit = Circuit(calls=3, probe_seconds=5)

    assert [circuit.observe(down()) for _ in range(2)] == [None, None]
    assert circuit.down_since is None
    assert circuit.observe(down()) == OPENED
    assert circuit.down_since is not None


def test_an_answer_or_a_refusal_among_them_keeps_it_closed():
    circuit = Circuit(calls=3, probe_seconds=5)

    for error in (down(), None, down(), down(status=429), down()):
        assert circuit.observe(error) is None
    assert circuit.down_since is None


def test_while_open_one_probe_leaves_per_interval_and_an_answer_closes_it():
    circuit = Circuit(calls=1, probe_seconds=5)
    assert circuit.observe(down()) == OPENED
    opened = circuit.down_since

    assert not circuit.probe_due(opened + 1)
    assert circuit.probe_due(opened + 5)
    assert not circuit.probe_due(opened + 6)  # the next one waits its turn
    assert circuit.observe(down()) is None  # the probe failed too: still down
    assert circuit.observe(ShopeeBusinessError("refused")) == CLOSED
    assert circuit.down_since is None


def test_a_run_resumed_while_shopee_was_down_probes_at_once():
    circuit = Circuit(calls=3, probe_seconds=5, down_since=1000.0)

    assert circuit.probe_due(1000.0)
    assert circuit.observe(None) == CLOSED
