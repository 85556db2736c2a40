"""What every promotion call shares with the voucher calls: routing, method and signature checks,
calls log, faults, throttling; the reset document, --state and the demo seed."""

import time

import pytest

from sandbox import promotions as kinds
from sandbox.seeds import demo_document
from sandbox.testing import SandboxControl, SandboxControlError, start_sandbox
from tests.sandbox.helpers import SHOP_ID, Shopee
from tests.sandbox.promotion_helpers import (
    ID_FIELDS,
    ONGOING,
    UPCOMING,
    get,
    post,
    promotion_document,
    stored,
    success,
)

KINDS = sorted(ID_FIELDS)
END_CALLS = {  # the call that stops an ongoing one, and its body
    "discount": ("end_discount", {}),
    "bundle_deal": ("end_bundle_deal", {}),
    "add_on_deal": ("end_add_on_deal", {}),
    "follow_prize": ("end_follow_prize", {}),
    "shop_flash_sale": ("update_shop_flash_sale", {"status": 2}),
}


def refused(call, status, text):
    with pytest.raises(SandboxControlError) as error:
        call()
    assert error.value.status == status, error.value.payload
    assert error.value.payload["ok"] is False and text in error.value.payload["error"]


@pytest.mark.parametrize("kind", KINDS)
def test_ending_through_the_api_is_logged_faulted_and_throttled_like_vouchers(
    promotions, control, shopee, kind
):
    api, body = END_CALLS[kind]
    path = f"/api/v2/{kind}/{api}"
    control.set_faults(
        [{"path": path, "times": 1, "phase": "after", "kind": "http_status", "status": 502}]
    )
    lost = post(shopee, kind, api, **{ID_FIELDS[kind]: ONGOING} | body)
    assert lost.status_code == 502  # the answer was lost, the call was applied
    record = stored(control, kind, ONGOING)
    assert (
        record.get("status") == 2
        if kind == "shop_flash_sale"
        else record["end_time"] <= control.now()
    )
    calls = [c for c in control.calls() if c["path"] == path]
    assert [(c["method"], c["shop_id"], c["fault"], c["status"]) for c in calls] == [
        ("POST", SHOP_ID, "http_status", 502)
    ]
    control.set_rate_limit(1)
    statuses = [
        get(
            shopee,
            kind,
            "get_" + ("follow_prize_detail" if kind == "follow_prize" else kind),
            **{ID_FIELDS[kind]: ONGOING},
        ).status_code
        for _ in range(3)
    ]
    assert 429 in statuses


@pytest.mark.parametrize("path", sorted(kinds.routes()))
def test_every_call_checks_method_and_signature_as_the_voucher_calls(promotions, shopee, path):
    method = kinds.routes()[path][0]
    wrong = shopee.shop("GET" if method == "POST" else "POST", path).json()
    assert (wrong["error"], "response" in wrong) == ("error_param", False)
    assert "request path is incorrect" in wrong["message"]
    forged = shopee.shop(method, path, partner_key="not-the-key").json()
    assert (forged["error"], forged["message"], "response" in forged) == (
        "error_sign",
        "Wrong sign.",
        False,
    )
    stale = shopee.shop(method, path, timestamp=int(time.time()) - 400).json()
    assert (stale["error"], stale["message"]) == ("error_param", "Timestamp is expired.")


def test_the_reset_document_refuses_bad_promotions(control):
    doc = promotion_document(int(time.time()))
    for promotions, text in (
        ({"coupons": []}, "unknown kind"),
        ({"discount": [{"shop_id": 9, "discount_id": 1}]}, "unknown shop_id 9"),
        ({"discount": [{"shop_id": SHOP_ID, "discount_id": 1}] * 2}, "discount_id 1 twice"),
        ([], "promotions must be an object"),
    ):
        refused(lambda p=promotions: control.reset(doc | {"promotions": p}), 400, text)


def test_promotions_survive_a_restart(tmp_path):
    path = tmp_path / "state.json"
    first = start_sandbox(state_file=path)
    try:
        control = SandboxControl(first.base_url)
        control.reset(promotion_document(int(time.time())))
        shopee = Shopee(first.base_url, control)
        success(post(shopee, "discount", "end_discount", discount_id=ONGOING))
        success(post(shopee, "shop_flash_sale", "delete_shop_flash_sale", flash_sale_id=UPCOMING))
        before = control.state()["promotions"]
    finally:
        first.stop()
    second = start_sandbox(state_file=path)
    try:
        assert SandboxControl(second.base_url).state()["promotions"] == before
    finally:
        second.stop()


def test_the_demo_seed_has_every_kind_in_every_state():
    now = int(time.time())
    doc = demo_document(now)
    for kind, records in doc["promotions"].items():
        for shop_id in {r["shop_id"] for r in doc["shops"]}:
            mine = [r for r in records if r["shop_id"] == shop_id]
            states = {
                (
                    "upcoming"
                    if now < r["start_time"]
                    else "ongoing"
                    if now < r["end_time"]
                    else "expired"
                )
                for r in mine
            }
            assert states == {"upcoming", "ongoing", "expired"}, (kind, shop_id)
    shopee_made = {
        "discount": lambda r: r.get("source") in (1, 7),
        "bundle_deal": lambda r: r.get("shopee_created"),
        "add_on_deal": lambda r: r.get("source") == 0,
        "shop_flash_sale": lambda r: r.get("status") == 3,
    }
    for kind, made in shopee_made.items():
        assert any(made(r) for r in doc["promotions"][kind]), kind
