"""Shopee's promotion pushes (codes 7 and 9, shopee-promotions.md section 9), posted signed to
/shopee/push/ as Shopee sends them (bodies made by the sandbox): the promotion they name is
marked as changed at Shopee, and the next read clears the mark."""

import json

import pytest
from django.utils import timezone

from audit.models import ShopeePush
from promotions.models import Promotion
from promotions.services.sync import shops_promotions_sync
from tests.factories import ShopTokenFactory
from tests.shops.test_push import partner, push  # noqa: F401 - partner: autouse fixture

pytestmark = pytest.mark.django_db

HOUR = 3600
ID_FIELD = {
    "discount": "discount_id",
    "bundle_deal": "bundle_deal_id",
    "add_on_deal": "add_on_deal_id",
    "shop_flash_sale": "flash_sale_id",
}


@pytest.fixture
def shop(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    return token.shop


def read(sandbox, shop, kind, promotion_id):
    """A promotion at Shopee, read into our records (not stale)."""
    now = sandbox.control.now()
    sandbox.control.add_promotion(
        kind,
        shop_id=shop.shop_id,
        **{ID_FIELD[kind]: promotion_id},
        start_time=now - 60,
        end_time=now + HOUR,
    )
    shops_promotions_sync(shops=[shop], kinds=[kind])
    return Promotion.objects.get(kind=kind, promotion_id=promotion_id)


def shopee_push(sandbox, kind, shop, promotion_id, code, **fields):
    """The push Shopee would send (the sandbox's body: no push URL is set, so it is kept)."""
    record = sandbox.control.promotion_push(kind, shop.shop_id, promotion_id, code, **fields)
    return json.loads(record["push"]["body"])


@pytest.mark.parametrize(
    ("kind", "code", "fields"),
    [
        ("discount", 9, {"item_id": 1, "action": "promo_time_updated"}),
        ("bundle_deal", 9, {"item_id": 1, "action": "added_in_promo"}),
        ("add_on_deal", 9, {"item_id": 1, "promotion_type": "add_on_deal_sub"}),
        ("shop_flash_sale", 7, {"item_id": 1, "action": "promo_end"}),
        ("discount", 7, {"item_id": 1, "action": "promo_cancelled"}),
    ],
)
def test_a_promotion_push_marks_its_record_stale(client, sandbox, shop, kind, code, fields):
    record = read(sandbox, shop, kind, 41)
    other = read(sandbox, shop, kind, 42)
    message = shopee_push(sandbox, kind, shop, 41, code, **fields)

    answer = push(client, message)

    assert answer.status_code == 200 and answer.content == b""
    record.refresh_from_db()
    other.refresh_from_db()
    assert record.stale and not other.stale
    logged = ShopeePush.objects.get(code=code)
    assert logged.outcome == "applied"
    assert f"{kind.replace('_', ' ').replace('add on', 'add-on')} 41 of shop" in logged.detail


def test_the_next_read_clears_the_mark(client, sandbox, shop):
    record = read(sandbox, shop, "discount", 7)
    push(client, shopee_push(sandbox, "discount", shop, 7, 9, item_id=3))
    record.refresh_from_db()
    assert record.stale

    shops_promotions_sync(shops=[shop], kinds=["discount"])

    record.refresh_from_db()
    assert not record.stale


def test_the_same_push_twice_is_applied_once(client, sandbox, shop):
    read(sandbox, shop, "bundle_deal", 5)
    message = shopee_push(sandbox, "bundle_deal", shop, 5, 9, item_id=3)
    push(client, message)
    push(client, message)
    assert list(ShopeePush.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]


def test_a_push_for_a_promotion_not_kept_here_is_ignored_saying_so(client, sandbox, shop):
    record = read(sandbox, shop, "discount", 8)
    now = int(timezone.now().timestamp())

    def message(**data):
        base = {"shop_id": shop.shop_id, "promotion_id": 8, "promotion_type": "seller_discount"}
        return {"code": 9, "shop_id": shop.shop_id, "timestamp": now, "data": base | data}

    push(client, message(promotion_type="group_buy"))
    push(client, message(promotion_id=999))
    push(client, message(promotion_id="x"))
    push(client, message(promotion_type="bundle_deal"))  # same id, another kind

    details = list(ShopeePush.objects.order_by("pk").values_list("outcome", "detail"))
    assert [outcome for outcome, _ in details] == ["ignored"] * 4
    assert "'group_buy' is not one shopadmin keeps" in details[0][1]
    assert "No discount 999 of shop" in details[1][1]
    assert "promotion_id must be a whole number" in details[2][1]
    assert "No bundle deal 8 of shop" in details[3][1]
    record.refresh_from_db()
    assert not record.stale


def test_other_push_codes_are_still_ignored(client, shop):
    now = int(timezone.now().timestamp())
    push(client, {"code": 8, "shop_id": shop.shop_id, "timestamp": now, "data": {"x": 1}})
    assert ShopeePush.objects.get().outcome == "ignored"
