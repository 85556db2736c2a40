"""POST /_sandbox/shops/<shop_id>, the shops' new fields in the state view, reset and restarts."""

import time

import pytest
import requests

from sandbox.persistence import dump_state, restore_state
from sandbox.state import SandboxState
from sandbox.testing import SandboxControl, SandboxControlError, start_sandbox
from tests.sandbox.helpers import (
    PARTNER_ID,
    SHOP2_ID,
    SHOP_ID,
    Shopee,
    world_document,
)

SHOP_INFO = "/api/v2/shop/get_shop_info"
YEAR = 365 * 86400


def state_shop(control, shop_id=SHOP_ID):
    return next(s for s in control.state()["shops"] if s["shop_id"] == shop_id)


def test_state_shows_status_and_authorization_with_their_defaults(control):
    shop = state_shop(control)
    assert shop["status"] == "NORMAL"
    assert shop["auth_time"] == pytest.approx(control.now(), abs=5)
    assert shop["auth_expire_time"] == shop["auth_time"] + YEAR


def test_update_shop_changes_what_get_shop_info_answers(control, shopee):
    expire = control.now() + 1000
    assert control.update_shop(
        SHOP_ID, name="Renamed", region="TH", status="FROZEN", auth_expire_time=expire
    ) == {"ok": True}
    payload = shopee.shop("GET", SHOP_INFO).json()
    assert (payload["shop_name"], payload["region"], payload["status"]) == (
        "Renamed",
        "TH",
        "FROZEN",
    )
    assert payload["expire_time"] == expire
    assert state_shop(control)["name"] == "Renamed"
    assert state_shop(control, SHOP2_ID)["name"] == "Second"  # only that shop
    assert control.update_shop(SHOP_ID) == {"ok": True}  # nothing to change is fine


def test_update_shop_can_move_auth_time(control):
    control.update_shop(SHOP_ID, auth_time=1700000000)
    assert state_shop(control)["auth_time"] == 1700000000


@pytest.mark.parametrize("shop_id", [999, "abc", "-1"])
def test_an_unknown_shop_is_404(running, control, shop_id):
    with pytest.raises(SandboxControlError) as refused:
        control.update_shop(shop_id, status="BANNED")
    assert refused.value.status == 404
    assert refused.value.payload == {"ok": False, "error": f"unknown shop '{shop_id}'"}
    response = requests.post(
        f"{running.base_url}/_sandbox/shops/{shop_id}", json={"name": "x"}, timeout=5
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["ok"] is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "CLOSED"}, "status must be one of NORMAL, BANNED, FROZEN"),
        ({"status": None}, "status must be one of"),
        ({"auth_expire_time": "1700000000"}, "auth_expire_time must be an integer"),
        ({"auth_expire_time": True}, "auth_expire_time must be an integer"),
        ({"name": ""}, "name must be a non-empty string"),
        ({"region": 5}, "region must be a non-empty string"),
        ({"shop_name": "x"}, "unknown shop field(s) shop_name"),
    ],
)
def test_bad_shop_changes_are_400_and_change_nothing(control, fields, message):
    before = state_shop(control)
    with pytest.raises(SandboxControlError) as refused:
        control.update_shop(SHOP_ID, **({"name": "Half applied?", "region": "ZZ"} | fields))
    assert refused.value.status == 400
    assert message in refused.value.payload["error"]
    assert state_shop(control) == before


def test_shop_control_bodies_and_methods(running, control):
    url = f"{running.base_url}/_sandbox/shops/{SHOP_ID}"
    response = requests.post(url, data=b"{", timeout=5)
    assert response.status_code == 400 and "malformed JSON" in response.json()["error"]
    response = requests.post(url, json=["status"], timeout=5)
    assert response.status_code == 400
    response = requests.get(url, timeout=5)
    assert response.status_code == 405 and response.json()["ok"] is False


def test_a_bad_status_in_the_reset_document_is_refused(control):
    doc = world_document(int(time.time()))
    doc["shops"][0]["status"] = "closed"
    with pytest.raises(SandboxControlError) as refused:
        control.reset(doc)
    assert refused.value.status == 400
    assert (
        "shops[0]: status must be one of NORMAL, BANNED, FROZEN" in refused.value.payload["error"]
    )
    doc["shops"][0]["status"] = "NORMAL"
    doc["shops"][0]["auth_expire_time"] = "soon"
    with pytest.raises(SandboxControlError):
        control.reset(doc)


def test_shop_changes_survive_a_restart(tmp_path):
    path = tmp_path / "state.json"
    first = start_sandbox(state_file=path)
    try:
        control = SandboxControl(first.base_url)
        control.reset(world_document(int(time.time())))
        control.update_shop(SHOP_ID, status="BANNED", auth_expire_time=1900000000)
        before = state_shop(control)
    finally:
        first.stop()
    second = start_sandbox(state_file=path)
    try:
        control = SandboxControl(second.base_url)
        assert state_shop(control) == before
        payload = Shopee(second.base_url, control).shop("GET", SHOP_INFO).json()
        assert payload["error"] == "shop_banned"
    finally:
        second.stop()


def test_a_state_file_from_before_shop_status_restores_defaults():
    state = SandboxState()
    state.reset(world_document(int(time.time())))
    data = dump_state(state)
    for row in data["shops"]:
        for name in ("status", "auth_time", "auth_expire_time"):
            del row[name]
    restored = SandboxState()
    restore_state(restored, data)
    shop = restored.shops[SHOP_ID]
    assert shop.status == "NORMAL" and shop.partner_id == PARTNER_ID
    assert shop.auth_time == pytest.approx(time.time(), abs=5)
    assert shop.auth_expire_time == shop.auth_time + YEAR
