"""Fuzz the sandbox's control API (/_sandbox/): every route and the ones with ids in their
path, wrong methods, any JSON or bytes as the body. Every request gets an HTTP answer below
500, JSON ``{"ok": false, "error": ...}`` when refused, and a refused request changes nothing."""

import json
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from sandbox import control
from tests.fuzz.conftest import budget
from tests.fuzz.sandbox_fuzz import (
    OwnSandbox,
    assert_answered,
    json_bodies,
    json_values,
    known_sandbox_bug,
)
from tests.fuzz.strategies import TRICKY_NUMBERS, any_texts, id_texts

pytestmark = pytest.mark.fuzz

FIXED = sorted({path for _, path in control.ROUTES})
WITH_IDS = [
    "/_sandbox/shops/{}",
    "/_sandbox/shops/{}/cancel_authorization",
    "/_sandbox/main_accounts/{}/cancel_authorization",
    "/_sandbox/vouchers/{}/{}",
    "/_sandbox/promotions/{}",
    "/_sandbox/promotions/{}/{}/{}",
    "/_sandbox/promotions/{}/{}/{}/end",
    "/_sandbox/promotions/{}/{}/{}/delete",
    "/_sandbox/promotions/{}/{}/{}/push",
]
KINDS = ["discount", "bundle_deal", "add_on_deal", "follow_prize", "shop_flash_sale"]
BODY_KEYS = [
    "advance_seconds",
    "rules",
    "rate_limit_per_shop",
    "status",
    "auth_time",
    "auth_expire_time",
    "name",
    "region",
    "partners",
    "shops",
    "vouchers",
    "shop_id",
    "voucher_id",
    "shop_ids",
    "expire_at",
    "code",
    "data",
    "end_time",
    "start_time",
    "discount_id",
    "flash_sale_id",
    "source",
    "shopee_created",
    "item_id",
    "action",
]
# Never a URL the sandbox would push to, other than a closed local port.
PUSH_URLS = [None, "http://127.0.0.1:9/push", "ftp://x", "", "http://", 7]


@pytest.fixture(scope="module")
def sandbox_control():
    sandbox = OwnSandbox()
    yield sandbox
    sandbox.stop()


def ids_in_path():
    return st.sampled_from(["7001", "7002", "5000000001", *KINDS]) | id_texts()


@st.composite
def control_requests(draw):
    if draw(st.booleans()):
        path = draw(st.sampled_from(FIXED) | any_texts(15).map(lambda t: "/_sandbox/" + t))
    else:
        template = draw(st.sampled_from(WITH_IDS))
        path = template.format(*(draw(ids_in_path()) for _ in range(template.count("{}"))))
    method = draw(st.sampled_from(["GET", "POST", "POST", "DELETE", "PUT"]))
    body = draw(json_bodies(BODY_KEYS))
    if draw(st.integers(0, 4)) == 0:
        body = json.dumps({"push_url": draw(st.sampled_from(PUSH_URLS))}).encode()
    return method, path, body


def pushes_to_elsewhere(body: bytes) -> bool:
    """Whether the body would make the sandbox push to a URL other than a closed local port."""
    text = body.decode("utf-8", errors="replace")
    return "://" in text and "127.0.0.1:9/" not in text


def exchange(sandbox, method, path, body):
    before = sandbox.state()
    response = sandbox.send(method, quote(path, safe="/"), body=body)
    what = f"{method} {path[:80]} body {body[:80]!r}"
    assert_answered(response, what, secrets=())
    payload = response.json()
    if response.status_code >= 400:
        assert payload.get("ok") is False and payload.get("error"), what
        assert sandbox.state() == before, f"{what}: refused yet changed the state"
    return response


@budget(150)
@given(request=control_requests())
@example(request=("POST", "/_sandbox/clock", b'{"advance_seconds": 1e308}'))
@example(request=("POST", "/_sandbox/settings", b'{"rate_limit_per_shop": NaN}'))
@example(request=("POST", "/_sandbox/shops/\u0663", b'{"name": "x"}'))
def test_control_api(sandbox_control, request):
    method, path, body = request
    assume(not pushes_to_elsewhere(body) and not known_sandbox_bug(path, {}, body))
    sandbox_control.restore()
    exchange(sandbox_control, method, path, body)
    sandbox_control.control.now()  # the sandbox still answers afterwards


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_sandbox/clock", b'{"advance_seconds": -1}'),
        pytest.param(
            "POST",
            "/_sandbox/clock",
            b'{"advance_seconds": Infinity}',
        ),
        pytest.param("POST", "/_sandbox/shops/" + "9" * 5000, b"{}"),
        pytest.param("POST", "/_sandbox/reset", b"[" * 100_000),
        *(("POST", f"/_sandbox/shops/{value}", b'{"name": "x"}') for value in TRICKY_NUMBERS[:20]),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_control_api_regressions(sandbox_control, method, path, body):
    sandbox_control.restore()
    exchange(sandbox_control, method, path, body)
    sandbox_control.control.now()


@budget(40)
@given(document=json_values(max_leaves=20))
def test_reset_documents(sandbox_control, document):
    """Any JSON as a reset document: a clear 400, or a state the Shopee side can serve."""
    sandbox_control.restore()
    body = json.dumps(document).encode()
    assume(not pushes_to_elsewhere(body) and not known_sandbox_bug("", {}, body))
    exchange(sandbox_control, "POST", "/_sandbox/reset", body)
    state = sandbox_control.send("GET", "/_sandbox/state")
    assert_answered(state, "state after reset", secrets=())
