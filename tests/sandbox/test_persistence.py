"""``--state FILE``: a restart keeps ended vouchers, rotated tokens, the clock, main accounts,
merchants, cancellations and pushes."""

import json
import time

from sandbox.testing import SandboxControl, authorize_main_account, authorize_shop, start_sandbox
from tests.sandbox.helpers import (
    GROUP_A,
    GROUP_B,
    MAIN_ACCOUNT_ID,
    MERCHANT_A,
    MERCHANT_B,
    ONGOING,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH,
    SHOP2_ID,
    SHOP_ID,
    TOKEN,
    Shopee,
    main_account_document,
    world_document,
)


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


def test_main_accounts_merchants_cancellations_and_pushes_survive_a_restart(tmp_path):
    path = tmp_path / "sandbox-state.json"
    first = start_sandbox(state_file=path)
    try:
        control = SandboxControl(first.base_url)
        control.reset(main_account_document(int(time.time())))
        shopee = Shopee(first.base_url, control)
        code = authorize_main_account(
            first.base_url,
            partner_id=PARTNER_ID,
            partner_key=PARTNER_KEY,
            main_account_id=MAIN_ACCOUNT_ID,
        )["code"]
        shared = shopee.exchange(code, main_account_id=MAIN_ACCOUNT_ID)
        assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["error"] == ""
        merchant = shopee.refresh_merchant(shared["refresh_token"], MERCHANT_A)
        control.set_push_url("http://127.0.0.1:9/unreachable")  # lost: nothing listens there
        control.cancel_authorization(SHOP_ID)
        pending_code = authorize_shop(
            first.base_url, partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP2_ID
        )["code"]
        before = control.state()
        pushes = control.pushes()
    finally:
        first.stop()

    second = start_sandbox(state_file=path)
    try:
        control = SandboxControl(second.base_url)
        shopee = Shopee(second.base_url, control)
        after = control.state()
        for key in ("shops", "main_accounts", "merchants", "push_url"):
            assert after[key] == before[key], key
        restored = control.pushes()
        assert [p["message_id"] for p in restored] == [p["message_id"] for p in pushes]
        assert not any(p["pending"] or p["delivered"] for p in restored)
        assert all(p["lost_at"] >= p["time"] for p in restored)  # lost, and when
        assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_A)["error"] == "error_auth"
        assert shopee.refresh(shared["refresh_token"], shop_id=GROUP_B)["error"] == ""
        assert shopee.refresh_merchant(merchant["refresh_token"], MERCHANT_A)["error"] == ""
        assert shopee.refresh_merchant(shared["refresh_token"], MERCHANT_B)["error"] == ""
        assert shopee.shop_info()["message"].endswith("was cancelled.")
        assert shopee.exchange(pending_code, shop_id=SHOP2_ID)["error"] == ""
        assert control.send_push(1, {})["push"]["message_id"] == len(pushes) + 1
    finally:
        second.stop()
