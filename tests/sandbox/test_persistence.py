"""``--state FILE``: a restart keeps ended vouchers, rotated tokens and the clock."""

import json
import time

from sandbox.testing import SandboxControl, start_sandbox
from tests.sandbox.helpers import ONGOING, REFRESH, SHOP_ID, TOKEN, Shopee, world_document


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "sandbox-state.json"
    first = start_sandbox(state_file=path)
    try:
        control = SandboxControl(first.base_url)
        control.reset(world_document(int(time.time())))
        shopee = Shopee(first.base_url, control)
        assert shopee.end(ONGOING)["error"] == ""
        rotated = shopee.refresh(REFRESH)
        control.advance_clock(120)
        before = control.state()
    finally:
        first.stop()
    assert json.loads(path.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left over

    second = start_sandbox(state_file=path)
    try:
        control = SandboxControl(second.base_url)
        shopee = Shopee(second.base_url, control)
        after = control.state()
        assert after["vouchers"] == before["vouchers"]
        assert after["shops"] == before["shops"]
        assert after["now"] >= before["now"]  # the clock offset was kept
        assert shopee.get(ONGOING, access_token=rotated["access_token"])["error"] == ""
        assert shopee.get(ONGOING, access_token=TOKEN)["error"] == ""  # still in its grace
        assert shopee.refresh(REFRESH)["error"] == "error_auth"  # spent before the restart
        assert shopee.refresh(rotated["refresh_token"])["error"] == ""
    finally:
        second.stop()


def test_a_missing_state_file_starts_from_the_seed_and_is_written(tmp_path):
    path = tmp_path / "state.json"
    sandbox = start_sandbox(seed="demo", state_file=path)
    try:
        saved = json.loads(path.read_text())
        assert len(saved["vouchers"]) == len(SandboxControl(sandbox.base_url).state()["vouchers"])
        assert {shop["shop_id"] for shop in saved["shops"]} >= {700001}
    finally:
        sandbox.stop()
    assert SHOP_ID not in {shop["shop_id"] for shop in saved["shops"]}
