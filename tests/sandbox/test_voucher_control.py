"""POST /_sandbox/vouchers and /_sandbox/vouchers/<shop>/<voucher>: playing Seller Centre."""

import pytest
import requests

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import (
    ADMIN,
    ONGOING,
    SHOP2_ID,
    SHOP2_VOUCHER,
    SHOP_ID,
    TOKEN2,
)

DAY = 86400


def refused(call, status, message):
    with pytest.raises(SandboxControlError) as error:
        call()
    assert error.value.status == status, error.value.payload
    assert message in error.value.payload["error"]
    assert error.value.payload["ok"] is False


def test_add_voucher_fills_in_defaults_from_the_sandbox_clock(control, shopee):
    now = control.advance_clock(3 * 3600)  # defaults follow the sandbox clock
    answer = control.add_voucher(shop_id=SHOP_ID, voucher_id=900, voucher_name="Flash", extra=1)
    voucher = answer["voucher"]
    assert answer["ok"] is True
    assert (voucher["shop_id"], voucher["voucher_id"], voucher["voucher_name"]) == (
        SHOP_ID,
        900,
        "Flash",
    )
    assert voucher["start_time"] == pytest.approx(now - 3600, abs=2)
    assert voucher["end_time"] == pytest.approx(now + 7 * DAY, abs=2)
    assert (voucher["voucher_code"], voucher["usage_quantity"], voucher["extra"]) == (
        "V900",
        100,
        1,
    )
    got = shopee.get(900)
    assert got["error"] == "" and got["response"]["voucher_name"] == "Flash"
    listed = shopee.shop("GET", "/api/v2/voucher/get_voucher_list", params={"status": "ongoing"})
    assert 900 in [v["voucher_id"] for v in listed.json()["response"]["voucher_list"]]


def test_add_voucher_refusals(control):
    refused(lambda: control.add_voucher(voucher_id=901), 400, "shop_id must be an integer")
    refused(lambda: control.add_voucher(shop_id=SHOP_ID), 400, "voucher_id must be an integer")
    refused(lambda: control.add_voucher(shop_id=999, voucher_id=901), 404, "unknown shop 999")
    refused(
        lambda: control.add_voucher(shop_id=SHOP_ID, voucher_id=ONGOING),
        400,
        f"voucher {ONGOING} already exists",
    )
    refused(  # ids are global: another shop's id is taken too
        lambda: control.add_voucher(shop_id=SHOP_ID, voucher_id=SHOP2_VOUCHER),
        400,
        "already exists",
    )
    refused(
        lambda: control.add_voucher(shop_id=SHOP_ID, voucher_id=902, start_time=10, end_time=5),
        400,
        "end_time is before start_time",
    )


def test_update_voucher_bypasses_shopees_rules(control, shopee):
    before = shopee.get(ONGOING)["response"]
    later = before["end_time"] + 30 * DAY
    answer = control.update_voucher(
        SHOP_ID, ONGOING, end_time=later, start_time=before["start_time"] - 1
    )
    assert answer["ok"] is True and answer["voucher"]["end_time"] == later
    after = shopee.get(ONGOING)["response"]
    assert (after["end_time"], after["start_time"]) == (later, before["start_time"] - 1)
    control.update_voucher(SHOP_ID, ONGOING, is_admin=True)
    assert shopee.end(ONGOING)["error"] == "voucher.operate_voucher_permission_error"
    assert control.update_voucher(SHOP_ID, ADMIN, is_admin=False)["voucher"]["is_admin"] is False
    other = shopee.get(SHOP2_VOUCHER, shop_id=SHOP2_ID, access_token=TOKEN2)["response"]
    assert other["end_time"] != later  # only that voucher


def test_update_voucher_refusals(running, control, shopee):
    before = shopee.get(ONGOING)["response"]
    refused(
        lambda: control.update_voucher(SHOP_ID, 424242, voucher_name="x"), 404, "unknown voucher"
    )
    refused(
        lambda: control.update_voucher(SHOP_ID, SHOP2_VOUCHER, voucher_name="x"),
        404,
        "unknown voucher",
    )
    refused(lambda: control.update_voucher(999, ONGOING, voucher_name="x"), 404, "unknown shop")
    refused(
        lambda: control.update_voucher(SHOP_ID, ONGOING, voucher_id=5),
        400,
        "voucher_id cannot be changed",
    )
    refused(
        lambda: control.update_voucher(SHOP_ID, ONGOING, shop_id=SHOP2_ID),
        400,
        "shop_id cannot be changed",
    )
    refused(
        lambda: control.update_voucher(SHOP_ID, ONGOING, voucher_name="half", end_time="soon"),
        400,
        "end_time must be an integer",
    )
    refused(
        lambda: control.update_voucher(SHOP_ID, ONGOING, end_time=before["start_time"] - 1),
        400,
        "end_time is before start_time",
    )
    assert shopee.get(ONGOING)["response"] == before  # nothing changed
    url = f"{running.base_url}/_sandbox/vouchers/{SHOP_ID}/{ONGOING}"
    assert requests.get(url, timeout=5).status_code == 405
    assert requests.post(url, data=b"[", timeout=5).status_code == 400
