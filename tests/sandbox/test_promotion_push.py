"""Shopee's promotion pushes (codes 7 and 9) sent through the control API, in the exact shape of
Shopee's samples, signed, delivered, and served as lost pushes with their shop_id."""

import hashlib
import hmac
import json

import pytest

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import PARTNER_KEY, SHOP_ID
from tests.sandbox.promotion_helpers import (
    ONGOING,
    stored,
)


def refused(call, status, text):
    with pytest.raises(SandboxControlError) as error:
        call()
    assert error.value.status == status, error.value.payload
    assert error.value.payload["ok"] is False and text in error.value.payload["error"]


def expected_signature(url, body):
    return hmac.new(PARTNER_KEY.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def test_push_code_7_for_a_flash_sale_item(promotions, control, receiver):
    control.set_push_url(receiver.url)
    sale = stored(control, "shop_flash_sale", ONGOING)
    record = control.promotion_push(
        "shop_flash_sale",
        SHOP_ID,
        ONGOING,
        7,
        item_id=14946910660,
        variation_id=58301485734,
        action="promo_lock_stock",
        reserved_stock=100,
    )["push"]
    body = json.loads(record["body"])
    assert body == {
        "code": 7,
        "shop_id": SHOP_ID,
        "timestamp": record["time"],
        "data": {
            "shop_id": SHOP_ID,
            "item_id": 14946910660,
            "variation_id": 58301485734,
            "promotion_type": "flash_sale",
            "promotion_id": ONGOING,
            "action": "promo_lock_stock",
            "update_time": record["time"],
            "start_time": sale["start_time"],
            "end_time": sale["end_time"],
            "reserved_stock": 100,
        },
    }
    got = receiver.wait_for(2)[-1]
    assert got.headers["Authorization"] == expected_signature(receiver.url, got.body)
    assert record["delivered"] is True


@pytest.mark.parametrize(
    ("kind", "action", "keys"),
    [
        (
            "bundle_deal",
            "added_in_promo",
            [
                "shop_id",
                "promotion_id",
                "promotion_type",
                "start_time",
                "end_time",
                "action",
                "item_id",
                "variation_id",
            ],
        ),
        (
            "discount",
            "removed_from_promo",
            ["shop_id", "promotion_id", "promotion_type", "action", "item_id", "variation_id"],
        ),
        (
            "discount",
            "promo_time_updated",
            [
                "shop_id",
                "promotion_id",
                "promotion_type",
                "end_time",
                "action",
                "item_id",
                "variation_id",
            ],
        ),
        (
            "shop_flash_sale",
            "promo_time_updated",
            [
                "shop_id",
                "promotion_id",
                "promotion_type",
                "end_time",
                "action",
                "item_id",
                "variation_id",
                "reserved_stock",
            ],
        ),
    ],
)
def test_push_code_9_has_the_samples_shape_per_action(promotions, control, kind, action, keys):
    record = control.promotion_push(kind, SHOP_ID, ONGOING, 9, item_id=5, action=action)["push"]
    data = json.loads(record["body"])["data"]
    assert list(data) == keys
    assert (
        data["promotion_type"]
        == {
            "bundle_deal": "bundle_deal",
            "discount": "seller_discount",
            "shop_flash_sale": "flash_sale",
        }[kind]
    )
    assert (data["action"], data["promotion_id"], data["variation_id"]) == (action, ONGOING, 0)


def test_push_refusals(promotions, control):
    refused(
        lambda: control.promotion_push("follow_prize", SHOP_ID, ONGOING, 9, item_id=1),
        400,
        "no push for a follow_prize",
    )
    refused(
        lambda: control.promotion_push("discount", SHOP_ID, ONGOING, 8, item_id=1),
        400,
        "code must be 7 or 9",
    )
    refused(
        lambda: control.promotion_push(
            "discount", SHOP_ID, ONGOING, 7, item_id=1, action="added_in_promo"
        ),
        400,
        "action must be one of",
    )
    refused(
        lambda: control.promotion_push("discount", SHOP_ID, ONGOING, 7),
        400,
        "item_id must be an integer",
    )
    sub = control.promotion_push(
        "add_on_deal", SHOP_ID, ONGOING, 7, item_id=1, promotion_type="add_on_deal_sub"
    )["push"]
    assert json.loads(sub["body"])["data"]["promotion_type"] == "add_on_deal_sub"


def test_a_lost_promotion_push_is_served_with_its_shop_id(promotions, control, shopee):
    control.promotion_push("discount", SHOP_ID, ONGOING, 9, item_id=5)  # no push URL: lost
    lost = shopee.public("GET", "/api/v2/push/get_lost_push_message").json()["response"]
    entry = lost["push_message_list"][0]
    assert (entry["code"], entry["shop_id"]) == (9, SHOP_ID)
    assert json.loads(entry["data"])["data"]["promotion_id"] == ONGOING
