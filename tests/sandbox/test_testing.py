"""The in-process helpers: start on a free port, stop for good, control client errors."""

import pytest
import requests

from sandbox.testing import SandboxControl, SandboxControlError, start_sandbox


def test_start_on_a_free_port_and_stop_closes_every_connection():
    with start_sandbox() as sandbox:
        assert sandbox.base_url.startswith("http://127.0.0.1:")
        assert not sandbox.base_url.endswith(":0")
        session = requests.Session()
        assert session.get(sandbox.base_url + "/_sandbox/health", timeout=5).json()["ok"]
        with sandbox.state.lock:
            assert sandbox.state.partners == {}
    with pytest.raises(requests.ConnectionError):  # not even the kept-alive connection answers
        session.get(sandbox.base_url + "/_sandbox/health", timeout=5)


def test_two_sandboxes_are_independent(control):
    with start_sandbox(seed="demo") as other:
        assert len(SandboxControl(other.base_url).state()["shops"]) == 4
        assert len(control.state()["shops"]) == 3


def test_an_unknown_seed_is_refused():
    with pytest.raises(ValueError, match="unknown seed"):
        start_sandbox(seed="nope")


def test_control_errors_carry_the_answer(control):
    with pytest.raises(SandboxControlError) as refused:
        control.reset({"shops": [{"shop_id": 1}]})
    assert refused.value.status == 400
    assert refused.value.payload == {
        "ok": False,
        "error": "invalid reset document: shops[0]: partner_id must be an integer, got None",
    }


def test_empty_shop_fields_take_their_defaults(control):
    control.reset(
        {
            "partners": [{"partner_id": 1, "partner_key": "k"}],
            "shops": [
                {"shop_id": 2, "partner_id": 1, "name": "", "region": None, "access_token": ""}
            ],
        }
    )
    shop = control.state()["shops"][0]
    assert (shop["name"], shop["region"], len(shop["access_token"])) == ("Shop 2", "SG", 32)
