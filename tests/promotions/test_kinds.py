"""The promotion kinds as plug-ins: each kind's calls (Shopee's parameter names), how its list
rows become records, what it skips and why, and the verdict of a write whose answer was lost."""

import datetime as dt

import pytest

from promotions.models import PromotionKindName
from promotions.permissions import may, permission_name
from promotions.services.kinds import KINDS, PROMOTION_KINDS, kind_named, known_errors
from promotions.services.kinds.discount import DISCOUNT, SKIP_STARTED_LESS_THAN_HOUR
from promotions.services.kinds.shop_flash_sale import (
    SHOP_FLASH_SALE,
    SKIP_DELETED,
    SKIP_SWITCHED_OFF,
)
from shopee import api
from vouchers.services.kinds.base import (
    APPLIED,
    EXPIRED,
    NOT_APPLIED,
    STARTED,
    UNREADABLE,
    MalformedRecord,
)
from vouchers.services.kinds.voucher import VOUCHER

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
T = int(NOW.timestamp())
HOUR = 3600


def kind(name):
    return kind_named(name)


def test_the_registry_lists_every_kind_once_and_names_match_the_model_choices():
    assert [k.name for k in KINDS] == ["voucher", *PromotionKindName.values]
    assert kind_named("discount") is DISCOUNT
    with pytest.raises(KeyError, match="Unknown promotion kind 'coupon'"):
        kind_named("coupon")
    errors = known_errors()
    assert len(errors) == len(set(errors))
    assert {"bundle.bundle_deal_no_auth_update", "shop_flash_sale_not_exist"} <= set(errors)
    assert "voucher.operate_voucher_permission_error" in errors


@pytest.mark.parametrize(
    ("name", "path", "query"),
    [
        (
            "discount",
            api.GET_DISCOUNT_LIST,
            {"discount_status": "ongoing", "page_no": 2, "page_size": 100},
        ),
        (
            "bundle_deal",
            api.GET_BUNDLE_DEAL_LIST,
            {"time_status": 3, "page_no": 2, "page_size": 100},
        ),
        (
            "add_on_deal",
            api.GET_ADD_ON_DEAL_LIST,
            {"promotion_status": "ongoing", "page_no": 2, "page_size": 100},
        ),
        (
            "follow_prize",
            api.GET_FOLLOW_PRIZE_LIST,
            {"status": "ongoing", "page_no": 2, "page_size": 100},
        ),
        ("shop_flash_sale", api.GET_SHOP_FLASH_SALE_LIST, {"type": 2, "offset": 100, "limit": 100}),
    ],
)
def test_each_list_call_uses_its_modules_status_encoding_and_paging(name, path, query):
    call = kind(name).list_call(status="ongoing", page_no=2)
    assert (call.method, call.path, call.query) == ("GET", path, query)


def test_upcoming_and_all_are_mapped_for_the_integer_filters():
    assert kind("bundle_deal").list_call(status="upcoming", page_no=1).query["time_status"] == 2
    assert kind("bundle_deal").list_call(status="all", page_no=1).query["time_status"] == 1
    assert kind("shop_flash_sale").list_call(status="upcoming", page_no=1).query["type"] == 1
    assert kind("shop_flash_sale").list_call(status="all", page_no=1).query["type"] == 0


@pytest.mark.parametrize(
    ("name", "get", "end", "delete"),
    [
        (
            "discount",
            ("GET", api.GET_DISCOUNT, {"discount_id": 5, "page_no": 1, "page_size": 1}, None),
            ("POST", api.END_DISCOUNT, {}, {"discount_id": 5}),
            ("POST", api.DELETE_DISCOUNT, {}, {"discount_id": 5}),
        ),
        (
            "bundle_deal",
            ("GET", api.GET_BUNDLE_DEAL, {"bundle_deal_id": 5}, None),
            ("POST", api.END_BUNDLE_DEAL, {}, {"bundle_deal_id": 5}),
            ("POST", api.DELETE_BUNDLE_DEAL, {}, {"bundle_deal_id": 5}),
        ),
        (
            "add_on_deal",
            ("GET", api.GET_ADD_ON_DEAL, {"add_on_deal_id": 5}, None),
            ("POST", api.END_ADD_ON_DEAL, {}, {"add_on_deal_id": 5}),
            ("POST", api.DELETE_ADD_ON_DEAL, {}, {"add_on_deal_id": 5}),
        ),
        (
            "follow_prize",
            ("GET", api.GET_FOLLOW_PRIZE_DETAIL, {"campaign_id": 5}, None),
            ("POST", api.END_FOLLOW_PRIZE, {}, {"campaign_id": 5}),
            ("POST", api.DELETE_FOLLOW_PRIZE, {}, {"campaign_id": 5}),
        ),
        (
            "shop_flash_sale",
            ("GET", api.GET_SHOP_FLASH_SALE, {"flash_sale_id": 5}, None),
            ("POST", api.UPDATE_SHOP_FLASH_SALE, {}, {"flash_sale_id": 5, "status": 2}),
            ("POST", api.DELETE_SHOP_FLASH_SALE, {}, {"flash_sale_id": 5}),
        ),
    ],
)
def test_each_kinds_get_end_and_delete_calls(name, get, end, delete):
    k = kind(name)
    for call, expected in ((k.get_call(5), get), (k.end_call(5), end), (k.delete_call(5), delete)):
        assert (call.method, call.path, call.query, call.body) == expected
    with pytest.raises(NotImplementedError):
        k.set_end_call(5, T)


def test_only_the_flash_sale_is_switched_off_and_only_vouchers_set_an_end():
    assert [k.name for k in KINDS if k.end_action == "disable"] == ["shop_flash_sale"]
    assert [k.name for k in KINDS if k.can_set_end] == ["voucher"]


def test_every_kind_has_its_labels_and_skip_texts():
    for k in KINDS:
        assert str(k.label) and str(k.label_plural) and k.id_field
        assert k.skip_shopee_managed and k.skip_upcoming and k.skip_expired
        assert k.records().model is k.record_model
    assert {k.records().model._meta.label for k in PROMOTION_KINDS} == {"promotions.Promotion"}


# -- rows as records ------------------------------------------------------------------------
def test_discount_row_source_admin_and_live_stream_are_shopee_managed():
    row = {
        "discount_id": 9,
        "discount_name": "Payday",
        "start_time": T - HOUR,
        "end_time": T + HOUR,
        "status": "ongoing",
        "source": 0,
    }
    fields = DISCOUNT.record_fields(row)
    assert fields == {
        "promotion_id": 9,
        "name": "Payday",
        "start_time": NOW - dt.timedelta(hours=1),
        "end_time": NOW + dt.timedelta(hours=1),
        "shopee_status": "ongoing",
        "shopee_managed": False,
        "details": {"source": 0},
    }
    assert DISCOUNT.record_fields(row | {"source": 1})["shopee_managed"] is True
    assert DISCOUNT.record_fields(row | {"source": 7})["shopee_managed"] is True


def test_add_on_source_zero_is_shopee_admin_the_opposite_of_discount():
    row = {"add_on_deal_id": 3, "add_on_deal_name": "Gift", "start_time": T, "end_time": T + HOUR}
    add_on = kind("add_on_deal")
    assert add_on.record_fields(row | {"source": 1})["shopee_managed"] is False
    assert add_on.record_fields(row | {"source": 0})["shopee_managed"] is True
    assert add_on.record_fields(row | {"source": 1})["name"] == "Gift"


def test_bundle_rows_never_say_shopee_managed_and_follow_prize_reads_campaign_fields():
    bundle = kind("bundle_deal").record_fields(
        {"bundle_deal_id": 4, "name": "2 for 1", "start_time": T, "end_time": T + HOUR}
    )
    assert (bundle["name"], bundle["shopee_managed"]) == ("2 for 1", False)
    assert kind("bundle_deal").list_shows_managed is False
    prize = kind("follow_prize").record_fields(
        {
            "campaign_id": 6,
            "follow_prize_name": "Follow us",
            "campaign_status": "upcoming",
            "start_time": T + HOUR,
            "end_time": T + 25 * HOUR,
            "claimed": 3,
        }
    )
    assert (prize["promotion_id"], prize["name"], prize["shopee_status"]) == (
        6,
        "Follow us",
        "upcoming",
    )
    assert prize["details"]["claimed"] == 3


def flash_row(**changes):
    row = {
        "flash_sale_id": 8,
        "timeslot_id": 1765000000,
        "status": 1,
        "start_time": T - 60,
        "end_time": T + HOUR,
        "type": 2,
    }
    return row | changes


def test_flash_sale_row_is_named_by_its_timeslot_and_only_enabled_is_live():
    fields = SHOP_FLASH_SALE.record_fields(flash_row())
    assert fields["name"] == "Flash sale 1765000000"
    assert fields["shopee_status"] == "enabled" and fields["details"]["status"] == 1
    assert SHOP_FLASH_SALE.live_status(fields, NOW) == "ongoing"
    for status, word in ((0, "deleted"), (2, "disabled"), (3, "system_rejected")):
        other = SHOP_FLASH_SALE.record_fields(flash_row(status=status))
        assert other["shopee_status"] == word
        assert SHOP_FLASH_SALE.live_status(other, NOW) == "expired"
    assert SHOP_FLASH_SALE.record_fields(flash_row(status=3))["shopee_managed"] is True


@pytest.mark.parametrize(
    ("name", "row", "message"),
    [
        ("discount", "not a dict", "not a JSON object"),
        ("discount", {"discount_id": "x", "start_time": T, "end_time": T}, "discount_id"),
        ("bundle_deal", {"bundle_deal_id": 1, "end_time": T}, "start_time is missing"),
        ("add_on_deal", {"add_on_deal_id": 1, "start_time": T, "end_time": -5}, "end_time"),
        (
            "follow_prize",
            {"campaign_id": 1, "start_time": T + 10, "end_time": T},
            "end_time is before start_time",
        ),
        (
            "discount",
            {"discount_id": 1, "start_time": T, "end_time": T, "source": "admin"},
            "source",
        ),
        ("shop_flash_sale", {**flash_row(), "status": 9}, "status must be 0, 1, 2 or 3"),
        ("shop_flash_sale", {**flash_row(), "status": None}, "status"),
    ],
)
def test_malformed_rows_are_refused_naming_the_field(name, row, message):
    with pytest.raises(MalformedRecord, match=message):
        kind(name).record_fields(row)


# -- pages ----------------------------------------------------------------------------------
def test_list_pages_read_more_and_the_flash_sale_computes_it_from_total_count():
    assert DISCOUNT.list_page({"discount_list": [1, 2], "more": True}) == ([1, 2], True)
    assert DISCOUNT.list_page({"more": False}) == ([], False)
    assert DISCOUNT.list_page("") == ([], False)
    rows = [{}] * 100
    assert SHOP_FLASH_SALE.list_page({"flash_sale_list": rows, "total_count": 150}) == (rows, True)
    assert SHOP_FLASH_SALE.list_page(
        {"flash_sale_list": rows[:50], "total_count": 150}, page_no=2
    ) == (rows[:50], False)
    # The schema's placement: the list beside `response`.
    assert SHOP_FLASH_SALE.list_page(
        {"total_count": 3}, body={"flash_sale_list": [1, 2, 3], "response": {"total_count": 3}}
    ) == ([1, 2, 3], False)
    # offset stops at 1000: page 11 (offset 1000) is the last one Shopee serves.
    assert (
        SHOP_FLASH_SALE.list_page({"flash_sale_list": rows, "total_count": 5000}, page_no=11)[1]
        is False
    )


# -- skip reasons ---------------------------------------------------------------------------
def fields_of(name, start, end, **extra):
    k = kind(name)
    row = {k.id_field: 1, "start_time": start, "end_time": end, **extra}
    if name == "shop_flash_sale":
        row.setdefault("status", 1)
    return k.record_fields(row)


@pytest.mark.parametrize("name", [k.name for k in PROMOTION_KINDS])
def test_skip_reasons_by_time(name):
    k = kind(name)
    upcoming = fields_of(name, T + HOUR, T + 2 * HOUR)
    ongoing = fields_of(name, T - 2 * HOUR, T + HOUR)
    expired = fields_of(name, T - 2 * HOUR, T - HOUR)
    assert k.skip_reason(upcoming, action=k.end_action, now=NOW) == k.skip_upcoming
    assert k.skip_reason(upcoming, action="delete", now=NOW) == ""
    assert k.skip_reason(ongoing, action=k.end_action, now=NOW) == ""
    assert k.skip_reason(expired, action=k.end_action, now=NOW) == k.skip_expired


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("discount", {"source": 1}),
        ("discount", {"source": 7}),
        ("add_on_deal", {"source": 0}),
        ("shop_flash_sale", {"status": 3}),
    ],
)
def test_shopee_managed_ones_are_skipped_before_any_call(name, extra):
    k = kind(name)
    fields = fields_of(name, T - 2 * HOUR, T + HOUR, **extra)
    assert k.skip_reason(fields, action=k.end_action, now=NOW) == k.skip_shopee_managed
    assert k.skip_reason(fields, action="delete", now=NOW) == k.skip_shopee_managed


def test_a_discount_that_started_less_than_an_hour_ago_is_skipped_with_that_reason():
    young = fields_of("discount", T - 30 * 60, T + HOUR)
    assert DISCOUNT.skip_reason(young, action="end", now=NOW) == SKIP_STARTED_LESS_THAN_HOUR
    assert DISCOUNT.live_status(young, NOW) == "ongoing"  # a read-back reports it still live
    old = fields_of("discount", T - HOUR, T + HOUR)
    assert DISCOUNT.skip_reason(old, action="end", now=NOW) == ""


def test_a_switched_off_or_deleted_flash_sale_is_skipped():
    off = fields_of("shop_flash_sale", T - 60, T + HOUR, status=2)
    assert SHOP_FLASH_SALE.skip_reason(off, action="disable", now=NOW) == SKIP_SWITCHED_OFF
    assert SHOP_FLASH_SALE.skip_reason(off, action="delete", now=NOW) == SKIP_SWITCHED_OFF
    off_upcoming = fields_of("shop_flash_sale", T + HOUR, T + 2 * HOUR, status=2)
    assert SHOP_FLASH_SALE.skip_reason(off_upcoming, action="delete", now=NOW) == ""
    gone = fields_of("shop_flash_sale", T + HOUR, T + 2 * HOUR, status=0)
    assert SHOP_FLASH_SALE.skip_reason(gone, action="delete", now=NOW) == SKIP_DELETED


def test_voucher_rows_in_the_common_shape():
    fields = VOUCHER.record_fields(
        {
            "voucher_id": 2,
            "voucher_code": "SALE",
            "voucher_name": "Sale",
            "start_time": T,
            "end_time": T + HOUR,
            "voucher_purpose": 4,
        }
    )
    assert (fields["promotion_id"], fields["name"], fields["details"]["code"]) == (
        2,
        "Sale",
        "SALE",
    )
    assert fields["shopee_managed"] is True  # a shop game voucher
    assert VOUCHER.skip_reason(fields, action="end", now=NOW) == VOUCHER.skip_shopee_managed


# -- verdicts of a lost write ---------------------------------------------------------------
ORIGINAL_END = NOW + dt.timedelta(days=1)


@pytest.mark.parametrize("name", ["discount", "bundle_deal", "add_on_deal", "follow_prize"])
def test_lost_end_and_delete_verdicts_from_the_get_record(name):
    k = kind(name)

    def verdict(action, start, end):
        record = {"start_time": start, "end_time": end}
        return k.lost_write_verdict(
            action=action, record=record, original_end=ORIGINAL_END, target_end=None, now=NOW
        )

    assert verdict("end", T - HOUR, T - 5) == (APPLIED, NOW - dt.timedelta(seconds=5))
    assert verdict("end", T - HOUR, int(ORIGINAL_END.timestamp())) == (NOT_APPLIED, None)
    assert verdict("delete", T + HOUR, T + 2 * HOUR) == (NOT_APPLIED, None)
    assert verdict("delete", T - 5, T + 2 * HOUR) == (STARTED, None)
    late = NOW + dt.timedelta(days=2)
    assert k.lost_write_verdict(
        action="end",
        record={"start_time": T - HOUR, "end_time": T - 5},
        original_end=ORIGINAL_END,
        target_end=None,
        now=late,
    ) == (APPLIED, NOW - dt.timedelta(seconds=5))
    assert k.lost_write_verdict(
        action="end", record="", original_end=ORIGINAL_END, target_end=None, now=NOW
    ) == (UNREADABLE, None)


def test_lost_flash_sale_disable_and_delete_verdicts_read_its_status():
    def verdict(action, **changes):
        return SHOP_FLASH_SALE.lost_write_verdict(
            action=action, record=flash_row(**changes), original_end=None, target_end=None, now=NOW
        )

    assert verdict("disable", status=2) == (APPLIED, NOW)
    assert verdict("disable", status=1) == (NOT_APPLIED, None)
    assert verdict("disable", status=1, end_time=T - 1) == (EXPIRED, None)
    assert verdict("delete", status=0) == (APPLIED, NOW)
    assert verdict("delete", status=1, start_time=T + HOUR, end_time=T + 2 * HOUR) == (
        NOT_APPLIED,
        None,
    )
    assert verdict("delete", status=1) == (STARTED, None)  # it started meanwhile: switch it off
    assert verdict("disable", status="on") == (UNREADABLE, None)
    assert SHOP_FLASH_SALE.lost_write_verdict(
        action="disable", record=None, original_end=None, target_end=None, now=NOW
    ) == (UNREADABLE, None)


# -- permissions ----------------------------------------------------------------------------
def test_permission_names_per_action_and_kind():
    assert permission_name("end", "voucher") == "vouchers.end_voucher"
    assert permission_name("delete", "voucher") == "vouchers.delete_voucher"
    assert permission_name("disable", "shop_flash_sale") == "promotions.end_shop_flash_sale"
    assert permission_name("delete", "bundle_deal") == "promotions.delete_bundle_deal"
    with pytest.raises(ValueError, match="Unknown promotion kind"):
        permission_name("end", "coupon")
    with pytest.raises(ValueError, match="Unknown action"):
        permission_name("pause", "discount")


@pytest.mark.django_db
def test_may_reads_the_users_permissions(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("p", password="x")  # noqa: S106
    assert not may(user, "end", "discount")
    user.user_permissions.add(Permission.objects.get(codename="end_discount"))
    user = django_user_model.objects.get(pk=user.pk)  # permissions are cached per instance
    assert may(user, "end", "discount")
    assert not may(user, "delete", "discount")
    assert not may(user, "end", "bundle_deal")
