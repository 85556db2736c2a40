"""Fuzz what Shopee answers (served by the sandbox's fault rules): any status, content type and
body to the client, any voucher list to a sync. The client raises its typed ShopeeError or
returns a result, nothing else; a sync keeps a malformed page out of the database (the call is
logged, the shop's error says why). Settings from the environment are fuzzed too."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import ShopeeCall
from core.parsing import NumberError
from ops.services.demo import demo_shops_load
from shopee import api
from shopee.client import ShopAuth, ShopeeResult, get_client
from shopee.config import load_config
from shopee.errors import ShopeeConfigError, ShopeeError
from tests.conftest import PARTNER_KEY
from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.sandbox_fuzz import json_values
from tests.fuzz.strategies import any_texts, id_texts
from vouchers.services.sync import shops_vouchers_sync

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

LIST_PATH = api.GET_VOUCHER_LIST
STATUSES = [200, 200, 200, 400, 403, 404, 429, 500, 502, 503]


def answers():
    """A fault rule answering in place of Shopee: any status, content type and body."""
    bodies = st.one_of(
        json_values().map(json.dumps),
        st.dictionaries(
            st.sampled_from(["request_id", "error", "message", "response", "warning", "msg"]),
            json_values(4),
        ).map(json.dumps),
        any_texts(200),
        st.sampled_from(["[" * 100_000, "{", "", "\x00", '{"error": 7}', '{"message": []}']),
    )
    return st.builds(
        lambda status, content_type, body: {
            "path": LIST_PATH,
            "kind": "http_status",
            "times": 1,
            "status": status,
            "content_type": content_type,
            "body": body,
        },
        st.sampled_from(STATUSES) | st.integers(200, 599).filter(lambda s: s not in (204, 304)),
        st.sampled_from(["application/json", "text/html", "text/plain; charset=latin-1", ""]),
        bodies,
    )


@budget(40)
@given(rule=answers())
@example(
    rule={
        "path": LIST_PATH,
        "kind": "http_status",
        "times": 1,
        "status": 200,
        "content_type": "application/json",
        "body": "[" * 100_000,
    }
)
@example(
    rule={
        "path": LIST_PATH,
        "kind": "http_status",
        "times": 1,
        "status": 200,
        "content_type": "application/json",
        "body": '{"error": "", "x": NaN}',
    }
)
def test_client_answers(world, sandbox, rule):
    """Whatever the answer, the client returns a result or raises a ShopeeError."""
    sandbox.mirror()
    sandbox.control.set_faults([rule])
    token = world["shops"][0].token
    client = get_client()
    prepared = client.prepare(
        api.get_voucher_list(status="all"),
        shop=ShopAuth(world["shops"][0].shop_id, token.access_token),
    )
    try:
        result = client.send(prepared)
    except ShopeeError as error:
        text = f"{error} {error.body_excerpt} {json.dumps(error.response, default=str)}"
    else:
        assert isinstance(result, ShopeeResult)
        text = json.dumps(result.redacted_body(), default=str)
    for secret in (PARTNER_KEY, token.access_token, prepared.params["sign"]):
        assert secret not in text, f"{shown(rule)}: a secret reached the error or result"


def voucher_items(world):
    shop_vouchers = [v.voucher_id for v in world["vouchers"] if v.shop == world["shops"][0]]
    times = st.integers(0, 2**40) | id_texts() | json_values(2)
    item = st.fixed_dictionaries(
        {
            "voucher_id": st.sampled_from(shop_vouchers) | id_texts() | json_values(2),
            "start_time": times,
            "end_time": times,
        },
        optional={
            "voucher_code": any_texts(30) | json_values(2),
            "voucher_name": any_texts(30),
            "voucher_purpose": id_texts() | json_values(2),
            "is_admin": json_values(2),
            "discount_amount": json_values(2),
            "usage_quantity": json_values(2),
            "percentage": json_values(2),
            "display_start_time": times,
        },
    )
    return st.lists(item, max_size=4) | json_values(3)


@budget(25)
@given(data=st.data())
def test_sync_answers(world, sandbox, staff, data):
    """A voucher list page of any shape: saved when valid, else kept out with a clear error."""
    sandbox.mirror()
    page = {"more": data.draw(json_values(2)), "voucher_list": data.draw(voucher_items(world))}
    envelope = {"request_id": "ab" * 16, "error": "", "message": "", "response": page}
    rule = {
        "path": LIST_PATH,
        "kind": "http_status",
        "times": 1,
        "status": 200,
        "content_type": "application/json",
        "body": json.dumps(envelope),
    }
    sandbox.control.set_faults([rule])
    before = db_snapshot()
    with rolled_back():
        [result] = shops_vouchers_sync(shops=[world["shops"][0]], actor=staff)
        after = db_snapshot()
        if result.error is not None:
            assert "Shopee" in str(result.error), shown(page)
            after.pop("ShopeeCall"), before.pop("ShopeeCall")
            assert after == before, f"{shown(page)} was refused yet changed the database"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHOPEE_PARTNER_ID", "²"),
        ("SHOPEE_PARTNER_ID", "٣"),
        ("SHOPEE_PARTNER_ID", "9" * 5000),
        ("SHOPEE_PARTNER_ID", "0"),
        ("SHOPEE_PARTNER_ID", " 2001887 "),
        ("SHOPEE_TIMEOUT_SECONDS", "nan"),
        ("SHOPEE_TIMEOUT_SECONDS", "inf"),
        ("SHOPEE_TIMEOUT_SECONDS", "1e999"),
        ("SHOPEE_TIMEOUT_SECONDS", "٣"),
        ("SHOPEE_API_BASE_URL", "http://"),
        ("SHOPEE_API_BASE_URL", "\x00"),
    ],
    ids=lambda value: shown(value, 20),
)
def test_settings_regressions(world, sandbox, settings, staff_client, name, value):
    """A malformed SHOPEE_* setting is a ShopeeConfigError naming it, and the confirmation page
    says so; SHOPEE_PARTNER_ID=² answered HTTP 500 on every Shopee page before the fix."""
    setattr(settings, name, value)
    try:
        load_config()
    except ShopeeConfigError as error:
        assert name in error.message
    voucher = world["vouchers"][0]
    response = staff_client.post(
        reverse("admin:vouchers_voucher_changelist"),
        {"action": "end_selected_vouchers", "_selected_action": [voucher.pk], "index": "0"},
    )
    assert_safe(response, secrets=stored_secrets, what=f"{name}={shown(value)}")


@budget(30)
@given(partner_id=id_texts(), timeout=id_texts() | any_texts(10), base_url=any_texts(30))
def test_settings(partner_id, timeout, base_url):
    overridden = override_settings(
        SHOPEE_PARTNER_ID=partner_id,
        SHOPEE_PARTNER_KEY=PARTNER_KEY,
        SHOPEE_TIMEOUT_SECONDS=timeout,
        SHOPEE_API_BASE_URL=base_url,
    )
    try:
        with overridden:  # per example: the settings fixture would stack 4 layers an example
            config = load_config()
    except ShopeeConfigError as error:
        assert "SHOPEE_" in error.message and PARTNER_KEY not in error.message
    else:
        assert 1 <= config.partner_id < 2**63 and 0 < config.timeout_seconds <= 300


@pytest.mark.parametrize(
    "body",
    [
        '{"request_id": "ab", "error": "", "response": {"more": NaN, "voucher_list": []}}',
        '{"request_id": "ab", "error": "", "response": {"more": 1e999, "voucher_list": []}}',
        '{"request_id": "ab", "error": "", "message": "a\\u0000b", "response": {}}',
        '{"request_id": "ab", "error": "error_x\\u0000", "message": "m"}',
        '{"error": "' + "e" * 500 + '", "request_id": "' + "f" * 500 + '"}',
        "upstream \x00 error",
    ],
    ids=["NaN", "1e999", "NUL in message", "NUL in error", "long error", "raw NUL"],
)
def test_answers_the_call_log_can_keep(world, sandbox, staff, body):
    """Regression (PostgreSQL): NaN, Infinity and NUL in Shopee's answer, or an error longer
    than its column, made the call log's write fail (DataError) and the sync crash."""
    sandbox.mirror()
    rule = {"path": LIST_PATH, "kind": "http_status", "times": 1, "status": 200}
    sandbox.control.set_faults([rule | {"content_type": "application/json", "body": body}])
    with rolled_back():
        [result] = shops_vouchers_sync(shops=[world["shops"][0]], actor=staff)
        call = ShopeeCall.objects.filter(endpoint=LIST_PATH).order_by("pk").first()
        assert call.finished_at is not None
        assert "\x00" not in call.message and "\x00" not in json.dumps(call.response)
        assert result.error is None or isinstance(result.error, ShopeeError)


def sync_page(world, sandbox, staff, page):
    sandbox.mirror()
    envelope = {"request_id": "ab" * 16, "error": "", "message": "", "response": page}
    sandbox.control.set_faults(
        [
            {
                "path": LIST_PATH,
                "kind": "http_status",
                "times": 1,
                "status": 200,
                "content_type": "application/json",
                "body": json.dumps(envelope),
            }
        ]
    )
    before = db_snapshot()
    with rolled_back():
        [result] = shops_vouchers_sync(shops=[world["shops"][0]], actor=staff)
        after = db_snapshot()
        after.pop("ShopeeCall"), before.pop("ShopeeCall")
        assert result.error is not None, shown(page)
        assert after == before


def item(**fields):
    return {"voucher_id": 5_000_000_001, "start_time": 1, "end_time": 2, **fields}


@pytest.mark.parametrize(
    "page",
    [
        {"voucher_list": [item(voucher_id="²")]},
        {"voucher_list": [item(voucher_id="9" * 5000)]},
        {"voucher_list": [item(start_time=2**40)]},
        {"voucher_list": [item(end_time="x")]},
        {"voucher_list": ["x"]},
        {"voucher_list": [item(voucher_id=2**70)]},
        {"voucher_list": [item(start_time=2**70)]},
        {"voucher_list": [item(voucher_purpose="²")]},
        {"voucher_list": [item(usage_quantity="many")]},
        {"voucher_list": {"voucher_id": 1}},
        {"voucher_list": 1},
        {"voucher_list": "abc"},
    ],
    ids=lambda value: shown(value, 50),
)
def test_sync_regressions(world, sandbox, staff, page):
    sync_page(world, sandbox, staff, page)


@pytest.mark.parametrize("expires_at", ["²", "9" * 5000, 2**70, -1])
def test_demo_load_regressions(expires_at):
    """bin/demo reads the sandbox's token expiries by the one rule: a clear NumberError naming
    the field, not int()'s "invalid literal" or an OverflowError."""
    shop = {
        "shop_id": 7001,
        "name": "North",
        "region": "SG",
        "access_token": "a" * 32,
        "refresh_token": "b" * 32,
        "access_token_expires_at": expires_at,
    }
    with pytest.raises(NumberError, match="The sandbox's token expiry"):
        demo_shops_load(sandbox_state={"shops": [shop]})


@pytest.mark.parametrize("expire_in", ["²", 10**30], ids=repr)
def test_token_refresh_answer(world, sandbox, staff, expire_in):
    """Regression: a token about to expire is refreshed first, and Shopee's answer carried a bad
    expire_in: int() raised ValueError or OverflowError out of the sync."""
    from django.utils import timezone

    shop = world["shops"][0]
    sandbox.mirror()
    shop.token.access_token_expires_at = timezone.now()
    shop.token.save(update_fields=["access_token_expires_at"])
    answer = {"request_id": "ab" * 16, "error": "", "message": "", "expire_in": expire_in}
    answer |= {"access_token": "e" * 32, "refresh_token": "f" * 32}
    sandbox.control.set_faults(
        [
            {
                "path": api.ACCESS_TOKEN_GET,
                "kind": "http_status",
                "times": 1,
                "status": 200,
                "content_type": "application/json",
                "body": json.dumps(answer),
            }
        ]
    )
    with rolled_back():
        [result] = shops_vouchers_sync(shops=[shop], actor=staff)
        assert result.error is None or isinstance(result.error, ShopeeError)
