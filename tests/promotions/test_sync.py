"""Reading every promotion kind's lists from the sandbox over HTTP (shops_promotions_sync):
each kind's own status filter and paging, records created and updated, Shopee-managed ones
flagged, malformed rows refused with a clear error, one kind's failure kept to itself."""

import datetime as dt

import pytest

from audit.models import ShopeeCall
from promotions.models import Promotion
from promotions.services.kinds import PROMOTION_KINDS
from promotions.services.sync import shops_promotions_sync
from shopee import api
from tests.factories import ShopTokenFactory

pytestmark = pytest.mark.django_db

HOUR, DAY = 3600, 86400
NAMES = [kind.name for kind in PROMOTION_KINDS]
LISTS = {
    "discount": api.GET_DISCOUNT_LIST,
    "bundle_deal": api.GET_BUNDLE_DEAL_LIST,
    "add_on_deal": api.GET_ADD_ON_DEAL_LIST,
    "follow_prize": api.GET_FOLLOW_PRIZE_LIST,
    "shop_flash_sale": api.GET_SHOP_FLASH_SALE_LIST,
}
# Shopee's own id field of each kind, and what makes one Shopee's (None: nothing can).
ID_FIELD = {kind.name: kind.id_field for kind in PROMOTION_KINDS}
MANAGED = {
    "discount": {"source": 1},
    "bundle_deal": None,  # its list cannot say so
    "add_on_deal": {"source": 0},
    "follow_prize": None,
    "shop_flash_sale": {"status": 3},
}


@pytest.fixture
def shop(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    return token.shop


def add(sandbox, kind, shop, promotion_id, start, end, **fields):
    if kind == "follow_prize":
        end = max(end, start + DAY)  # a follow prize lasts at least a day
    return sandbox.control.add_promotion(
        kind,
        shop_id=shop.shop_id,
        **{ID_FIELD[kind]: promotion_id},
        start_time=start,
        end_time=end,
        **fields,
    )["promotion"]


def at(unix):
    return dt.datetime.fromtimestamp(unix, tz=dt.UTC)


@pytest.mark.parametrize("kind", NAMES)
def test_sync_reads_ongoing_and_upcoming_of_each_kind(sandbox, shop, kind):
    now = sandbox.control.now()
    add(sandbox, kind, shop, 11, now - HOUR, now + 2 * DAY)  # ongoing
    add(sandbox, kind, shop, 12, now + DAY, now + 3 * DAY)  # upcoming
    add(sandbox, kind, shop, 13, now - 3 * DAY, now - 2 * DAY)  # expired: not read

    [result] = shops_promotions_sync(shops=[shop], kinds=[kind], actor_label="test")

    assert result.ok and result.complete, result.error
    assert result.kind.name == kind and result.shop == shop
    assert result.listed == {11: "ongoing", 12: "upcoming"}
    assert (result.created, result.updated, result.pages) == (2, 0, 2)
    records = Promotion.objects.filter(kind=kind, shop=shop).order_by("promotion_id")
    assert [r.promotion_id for r in records] == [11, 12]
    ongoing = records[0]
    assert (ongoing.start_time, ongoing.end_time) == (at(now - HOUR), at(now + 2 * DAY))
    assert ongoing.synced_at is not None and not ongoing.stale
    assert ongoing.status_at() == "ongoing" and records[1].status_at() == "upcoming"
    assert not ongoing.shopee_managed
    # Each list read is a call in the log, with the module's own filter.
    assert ShopeeCall.objects.filter(endpoint=LISTS[kind], outcome="success").count() == 2
    queries = [call["query"] for call in sandbox.calls(LISTS[kind])]
    filter_name, values = {
        "discount": ("discount_status", ["ongoing", "upcoming"]),
        "bundle_deal": ("time_status", ["3", "2"]),
        "add_on_deal": ("promotion_status", ["ongoing", "upcoming"]),
        "follow_prize": ("status", ["ongoing", "upcoming"]),
        "shop_flash_sale": ("type", ["2", "1"]),
    }[kind]
    assert [query[filter_name] for query in queries] == values


def test_names_come_from_each_kinds_own_field(sandbox, shop):
    now = sandbox.control.now()
    add(sandbox, "discount", shop, 1, now - HOUR, now + DAY, discount_name="Payday 20%")
    add(sandbox, "bundle_deal", shop, 1, now - HOUR, now + DAY, name="Buy 2")
    add(sandbox, "add_on_deal", shop, 1, now - HOUR, now + DAY, add_on_deal_name="Gift")
    add(sandbox, "follow_prize", shop, 1, now - HOUR, now + DAY, follow_prize_name="Follow")
    add(sandbox, "shop_flash_sale", shop, 1, now - 60, now + HOUR, timeslot_id=now - 60)

    results = shops_promotions_sync(shops=[shop], kinds=NAMES)

    assert [(r.kind.name, r.ok) for r in results] == [(name, True) for name in NAMES]
    names = dict(Promotion.objects.values_list("kind", "name"))
    assert names == {
        "discount": "Payday 20%",
        "bundle_deal": "Buy 2",
        "add_on_deal": "Gift",
        "follow_prize": "Follow",
        "shop_flash_sale": f"Flash sale {now - 60}",
    }


@pytest.mark.parametrize("kind", [name for name, flag in MANAGED.items() if flag])
def test_shopee_created_ones_are_flagged(sandbox, shop, kind):
    now = sandbox.control.now()
    add(sandbox, kind, shop, 21, now - HOUR, now + DAY, **MANAGED[kind])
    add(sandbox, kind, shop, 22, now - HOUR, now + DAY)

    shops_promotions_sync(shops=[shop], kinds=[kind])

    managed = dict(
        Promotion.objects.filter(kind=kind).values_list("promotion_id", "shopee_managed")
    )
    assert managed == {21: True, 22: False}


def test_a_bundle_deal_known_to_be_shopees_stays_so_after_a_read(sandbox, shop):
    """Bundle lists never say who created a deal: a refusal taught it, a read keeps it."""
    now = sandbox.control.now()
    add(sandbox, "bundle_deal", shop, 5, now - HOUR, now + DAY, shopee_created=True)
    shops_promotions_sync(shops=[shop], kinds=["bundle_deal"])
    Promotion.objects.filter(kind="bundle_deal").update(shopee_managed=True)
    sandbox.control.update_promotion("bundle_deal", shop.shop_id, 5, name="Renamed")

    [result] = shops_promotions_sync(shops=[shop], kinds=["bundle_deal"])

    record = Promotion.objects.get(kind="bundle_deal")
    assert (result.created, result.updated) == (0, 1)
    assert (record.name, record.shopee_managed) == ("Renamed", True)


def test_a_second_read_updates_the_records_and_clears_stale(sandbox, shop):
    now = sandbox.control.now()
    add(sandbox, "discount", shop, 7, now - 2 * HOUR, now + DAY)
    shops_promotions_sync(shops=[shop], kinds=["discount"])
    Promotion.objects.update(stale=True)
    sandbox.control.end_promotion("discount", shop.shop_id, 7)  # Seller Centre ends it

    [result] = shops_promotions_sync(shops=[shop], kinds=["discount"], statuses=("all",))

    record = Promotion.objects.get()
    assert result.listed == {7: "all"} and (result.created, result.updated) == (0, 1)
    assert record.end_time <= dt.datetime.now(tz=dt.UTC) and not record.stale
    assert record.shopee_status == "expired"


def test_a_switched_off_or_deleted_flash_sale_is_read_as_not_live(sandbox, shop):
    now = sandbox.control.now()
    for flash_sale_id in (1, 2, 3):
        add(sandbox, "shop_flash_sale", shop, flash_sale_id, now + HOUR, now + 2 * HOUR)
    sandbox.control.end_promotion("shop_flash_sale", shop.shop_id, 2)  # switched off
    sandbox.control.delete_promotion("shop_flash_sale", shop.shop_id, 3)  # stays listed, 0

    [result] = shops_promotions_sync(shops=[shop], kinds=["shop_flash_sale"])

    assert result.listed == {1: "upcoming", 2: "disabled", 3: "deleted"}
    status = dict(Promotion.objects.values_list("promotion_id", "shopee_status"))
    assert status == {1: "enabled", 2: "disabled", 3: "deleted"}


@pytest.mark.parametrize(
    ("kind", "count", "pages"), [("discount", 150, 2), ("shop_flash_sale", 230, 3)]
)
def test_lists_are_paged(sandbox, shop, kind, count, pages):
    now = sandbox.control.now()
    for n in range(1, count + 1):
        add(sandbox, kind, shop, n, now - 60, now + HOUR)

    [result] = shops_promotions_sync(shops=[shop], kinds=[kind], statuses=("ongoing",))

    assert (result.ok, result.created, result.pages) == (True, count, pages)
    assert Promotion.objects.filter(kind=kind).count() == count
    queries = [call["query"] for call in sandbox.calls(LISTS[kind])]
    if kind == "shop_flash_sale":
        assert [(q["offset"], q["limit"]) for q in queries] == [
            ("0", "100"),
            ("100", "100"),
            ("200", "100"),
        ]
    else:
        assert [q["page_no"] for q in queries] == ["1", "2"]


def envelope(response):
    return {"error": "", "message": "", "request_id": "a" * 32, "response": response}


def test_a_malformed_row_is_refused_clearly_and_nothing_of_its_page_is_saved(sandbox, shop):
    now = sandbox.control.now()
    rows = [
        {"discount_id": 1, "discount_name": "Good", "start_time": now, "end_time": now + DAY},
        {"discount_id": 2, "discount_name": "Bad", "start_time": "soon", "end_time": now + DAY},
    ]
    sandbox.control.set_faults(
        [
            {
                "path": api.GET_DISCOUNT_LIST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": envelope({"discount_list": rows, "more": False}),
            }
        ]
    )

    [result] = shops_promotions_sync(shops=[shop], kinds=["discount"])

    assert not result.ok
    assert (
        "Shopee's discount list is malformed: discount 2: start_time must be a whole number"
        in str(result.error)
    )
    assert not Promotion.objects.exists()


def test_a_list_that_is_not_a_list_is_refused(sandbox, shop):
    sandbox.control.set_faults(
        [
            {
                "path": api.GET_FOLLOW_PRIZE_LIST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": envelope({"follow_prize_list": {"campaign_id": 1}, "more": False}),
            }
        ]
    )

    [result] = shops_promotions_sync(shops=[shop], kinds=["follow_prize"])

    assert "Shopee's follow prize list is malformed: follow_prize_list is not a list" in str(
        result.error
    )


def test_the_flash_sale_list_beside_response_is_read_too(sandbox, shop):
    """Shopee's schema puts flash_sale_list at the top level, its sample inside `response`."""
    now = sandbox.control.now()
    row = {
        "flash_sale_id": 4,
        "timeslot_id": 9,
        "status": 1,
        "start_time": now - 60,
        "end_time": now + HOUR,
    }
    body = envelope({"total_count": 1}) | {"flash_sale_list": [row]}
    sandbox.control.set_faults(
        [
            {
                "path": api.GET_SHOP_FLASH_SALE_LIST,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": body,
                "times": 1,
            }
        ]
    )

    [result] = shops_promotions_sync(shops=[shop], kinds=["shop_flash_sale"])

    assert result.ok and result.listed == {4: "ongoing"}
    assert Promotion.objects.get().name == "Flash sale 9"


def test_one_kinds_failure_does_not_stop_the_others_or_other_shops(sandbox):
    first, second = ShopTokenFactory().shop, ShopTokenFactory().shop
    sandbox.mirror()
    now = sandbox.control.now()
    for shop in (first, second):
        add(sandbox, "discount", shop, shop.shop_id, now - HOUR, now + DAY)
        add(sandbox, "add_on_deal", shop, shop.shop_id, now - HOUR, now + DAY)
    sandbox.control.set_faults(
        [
            {
                "path": api.GET_ADD_ON_DEAL_LIST,
                "shop_id": first.shop_id,
                "kind": "shopee_error",
                "error": "add_on.add_on_status_error",
                "message": "Please input correct promotion status",
            }
        ]
    )

    results = shops_promotions_sync(shops=[first, second], kinds=["discount", "add_on_deal"])

    outcome = [(r.shop, r.kind.name, r.ok) for r in results]
    assert outcome == [
        (first, "discount", True),
        (first, "add_on_deal", False),
        (second, "discount", True),
        (second, "add_on_deal", True),
    ]
    assert "add_on.add_on_status_error" in str(results[1].error)
    assert Promotion.objects.count() == 3


def test_unknown_kinds_and_vouchers_are_refused():
    with pytest.raises(ValueError, match="Unknown promotion kind 'coupon'"):
        shops_promotions_sync(shops=[], kinds=["coupon"])
    with pytest.raises(ValueError, match="their own sync"):
        shops_promotions_sync(shops=[], kinds=["voucher"])
