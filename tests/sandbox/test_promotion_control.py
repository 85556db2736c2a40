"""The control API for promotions: create any kind in any state, Seller Centre's edits (any
field, end, delete), every refusal."""

import pytest

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import SHOP2_ID, SHOP_ID
from tests.sandbox.promotion_helpers import (
    HOUR,
    ID_FIELDS,
    ONGOING,
    UPCOMING,
    post,
    stored,
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
def test_add_a_promotion_with_defaults_from_the_sandbox_clock(control, kind):
    now = control.advance_clock(HOUR)
    answer = control.add_promotion(kind, shop_id=SHOP_ID, **{ID_FIELDS[kind]: 321})
    promotion = answer["promotion"]
    assert (promotion["kind"], promotion["shop_id"], promotion[ID_FIELDS[kind]]) == (
        kind,
        SHOP_ID,
        321,
    )
    assert promotion["start_time"] <= now < promotion["end_time"]  # ongoing by default
    assert stored(control, kind, 321)["start_time"] == promotion["start_time"]


@pytest.mark.parametrize("kind", KINDS)
def test_add_refusals(promotions, control, kind):
    id_field = ID_FIELDS[kind]
    refused(lambda: control.add_promotion(kind, **{id_field: 1}), 400, "shop_id must be an integer")
    refused(lambda: control.add_promotion(kind, shop_id=SHOP_ID), 400, f"{id_field} must be")
    refused(lambda: control.add_promotion(kind, shop_id=9, **{id_field: 1}), 404, "unknown shop 9")
    refused(
        lambda: control.add_promotion(kind, shop_id=SHOP_ID, **{id_field: ONGOING}),
        400,
        "already exists",
    )
    refused(
        lambda: control.add_promotion(
            kind, shop_id=SHOP_ID, start_time=5, end_time=4, **{id_field: 2}
        ),
        400,
        "end_time is before start_time",
    )
    refused(
        lambda: control.add_promotion("voucher_bonanza", shop_id=SHOP_ID),
        404,
        "unknown promotion kind",
    )


def test_kind_specific_fields_are_checked(control):
    refused(  # a text quantity would break update_follow_prize's comparison
        lambda: control.add_promotion(
            "follow_prize", shop_id=SHOP_ID, campaign_id=1, usage_quantity="100"
        ),
        400,
        "usage_quantity must be of type int or float",
    )
    refused(
        lambda: control.add_promotion("bundle_deal", shop_id=SHOP_ID, bundle_deal_id=1, name=7),
        400,
        "name must be of type str",
    )
    refused(
        lambda: control.add_promotion("discount", shop_id=SHOP_ID, discount_id=1, source=2),
        400,
        "source must be one of [0, 1, 7]",
    )
    refused(
        lambda: control.add_promotion("add_on_deal", shop_id=SHOP_ID, add_on_deal_id=1, source=7),
        400,
        "source must be one of [0, 1]",
    )
    refused(
        lambda: control.add_promotion(
            "add_on_deal", shop_id=SHOP_ID, add_on_deal_id=1, purchase_min_spend="3.0"
        ),
        400,
        "purchase_min_spend must be of type int or float, got '3.0'",
    )
    refused(
        lambda: control.add_promotion(
            "shop_flash_sale", shop_id=SHOP_ID, flash_sale_id=1, status=9
        ),
        400,
        "status must be one of [0, 1, 2, 3]",
    )
    refused(
        lambda: control.add_promotion(
            "shop_flash_sale", shop_id=SHOP_ID, flash_sale_id=1, shopee_created=True
        ),
        400,
        "status 3",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_seller_centre_edit_bypasses_the_api_rules(promotions, control, shopee, kind):
    later = control.now() + 30 * 86400
    changed = control.update_promotion(kind, SHOP_ID, ONGOING, end_time=later)["promotion"]
    assert changed["end_time"] == later  # extended, which the API refuses
    refused(
        lambda: control.update_promotion(kind, SHOP_ID, ONGOING, shop_id=SHOP2_ID),
        400,
        "cannot be changed",
    )
    refused(
        lambda: control.update_promotion(kind, SHOP_ID, ONGOING, end_time="soon"),
        400,
        "end_time must be an integer",
    )
    refused(lambda: control.update_promotion(kind, SHOP_ID, 999, end_time=later), 404, "unknown")
    refused(
        lambda: control.update_promotion(kind, SHOP2_ID, ONGOING, end_time=later), 404, "unknown"
    )
    assert stored(control, kind, ONGOING)["end_time"] == later


@pytest.mark.parametrize("kind", KINDS)
def test_seller_centre_end_and_delete(promotions, control, shopee, kind):
    ended = control.end_promotion(kind, SHOP_ID, ONGOING)["promotion"]
    if kind == "shop_flash_sale":
        assert ended["status"] == 2  # switched off: there is no "end" for a flash sale
    else:
        assert ended["end_time"] == pytest.approx(control.now(), abs=2)
        api, body = END_CALLS[kind]
        assert post(shopee, kind, api, **{ID_FIELDS[kind]: ONGOING} | body).json()["error"]
    assert control.delete_promotion(kind, SHOP_ID, UPCOMING) == {"ok": True}
    left = stored(control, kind, UPCOMING)
    assert left is None if kind != "shop_flash_sale" else left["status"] == 0
