"""Fuzz the push endpoint (/shopee/push/): bodies (JSON of Shopee's shape with random codes,
ids, timestamps and data, any JSON, raw bytes, big ones), signed right, wrong or not at all,
any method. A push we take is logged (one ShopeePush row) and only codes 2 and 12 may change a
shop; one that is refused (401, 400, 413) adds one small RejectedPush row and changes nothing
else. A flood of unsigned big bodies stays cheap. Never a 5xx."""

import json
import random

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models.pushes import REJECTED_PREFIX_BYTES, RejectedPush
from shopee.signing import push_signature
from tests.conftest import PARTNER_KEY
from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.sandbox_fuzz import json_values
from tests.fuzz.strategies import id_texts

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

PUSH_URL = "http://testserver/shopee/push/"


def ids():
    return st.sampled_from([7001, 7002, 0, -1, 2**63, 10**30]) | id_texts() | json_values(2)


@st.composite
def push_bodies(draw):
    kind = draw(st.sampled_from(["shopee", "shopee", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300) | st.sampled_from([b"", b"[" * 100_000, b"\x00"]))
    if kind == "json":
        return json.dumps(draw(json_values())).encode()
    data = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "shop_id_list": st.lists(ids(), max_size=3) | ids(),
                "merchant_id_list": st.lists(ids(), max_size=3) | ids(),
                "main_account_id": ids(),
                "expire_before": ids(),
                "success": ids(),
                "extra": json_values(3),
            },
        )
    )
    message = draw(
        st.fixed_dictionaries(
            {"code": st.sampled_from([0, 1, 2, 12, 3, -1, 2**70]) | ids()},
            optional={"shop_id": ids(), "timestamp": ids(), "data": st.just(data) | ids()},
        )
    )
    return json.dumps(message).encode()


def post_push(body, signed, method="post"):
    client = Client(raise_request_exception=False)
    headers = {}
    if signed == "valid":
        headers["authorization"] = push_signature(
            partner_key=PARTNER_KEY, callback_url=PUSH_URL, body=body
        )
    elif signed == "wrong":
        headers["authorization"] = push_signature(
            partner_key="not-ours", callback_url=PUSH_URL, body=body
        )
    elif signed != "none":
        headers["authorization"] = signed
    before = db_snapshot()
    rejected_before = RejectedPush.objects.count()
    with rolled_back():
        response = client.generic(
            method.upper(), "/shopee/push/", body, content_type="application/json", headers=headers
        )
        what = f"push {shown(body)} signed {shown(signed)}"
        assert_safe(response, secrets=stored_secrets, what=what)
        after = db_snapshot()
        if method != "post":
            assert response.status_code == 405, what
            assert after == before, what
            return response
        rejected = RejectedPush.objects.count() - rejected_before
        if response.status_code >= 400:
            assert rejected == 1, what
            assert after == before, f"{what}: refused ({response.status_code}) yet changed"
        else:
            assert rejected == 0, what
            assert len(after.pop("ShopeePush")) == len(before.pop("ShopeePush")) + 1, what
            after.pop("Shop"), before.pop("Shop")
            assert after == before, f"{what}: changed more than shops and the push log"
    return response


@pytest.fixture
def push_settings(sandbox, settings):
    settings.SHOPEE_PUSH_URL = PUSH_URL
    return settings


@budget(60)
@given(
    body=push_bodies(),
    signed=st.sampled_from(["valid", "valid", "wrong", "none", "", " ", "é", "0" * 64]),
)
@example(body=b'{"code": 12, "data": {"expire_before": 99999999999999}}', signed="valid")
@example(body=b'{"code": 2, "data": {"shop_id_list": ["\\u00b2"]}}', signed="valid")
@example(body=b'{"code": 2, "shop_id": 7001, "timestamp": 1e999}', signed="valid")
@example(body=b'{"code": NaN}', signed="none")
def test_push(world, push_settings, body, signed):
    post_push(body, signed)


@pytest.mark.parametrize("debug", [True], indirect=True)
@budget(20)
@given(body=push_bodies(), method=st.sampled_from(["post", "get", "put", "delete", "head"]))
def test_push_methods_debug(world, push_settings, debug, body, method):
    post_push(body, "valid", method=method)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": 2, "shop_id": 7001, "timestamp": 1e999}',
        b'{"code": 2, "shop_id": 7001, "timestamp": Infinity}',
        b'{"code": 2, "shop_id": 7001, "timestamp": Infinity}',
    ],
    ids=["1e999", "Infinity", "unsigned Infinity"],
)
def test_push_non_finite_numbers(world, push_settings, body, request):
    """Regression: NaN/Infinity/1e999 in a push's JSON was stored as is in the push log, which
    SQLite's JSON check and PostgreSQL's jsonb refuse: HTTP 500."""
    post_push(body, "none" if "unsigned" in request.node.callspec.id else "valid")


@pytest.mark.parametrize(("depth", "signed"), [(100_000, "valid"), (60_000, "none")])
def test_push_deeply_nested_json(world, push_settings, depth, signed):
    """Regression: json.loads raised RecursionError (not ValueError) on deep nesting: 500."""
    post_push(b"[" * depth, signed)


def test_push_too_large(world, push_settings):
    post_push(b"{" + b" " * (3 * 1024 * 1024) + b"}", "valid")


def stored_size(row: RejectedPush) -> int:
    """The bytes a rejected row's variable fields take, as UTF-8."""
    texts = [row.detail, row.body_sha256, row.body_prefix, row.reason, row.remote_addr or ""]
    return sum(len(text.encode()) for text in texts)


def big_body(kind: str, seed: int, size: int) -> bytes:
    """A body of `size` bytes drawn from a small seed (Hypothesis keeps inputs small)."""
    rng = random.Random(seed)
    if kind == "bytes":
        return rng.randbytes(size)
    if kind == "multibyte":  # every character 2-4 bytes: the prefix cut inside one
        text = "".join(rng.choice("é中😀\u0000") for _ in range(size // 2))
        return text.encode()[:size]
    pad = rng.randbytes(size // 2).hex()
    return (b'{"code": 2, "shop_id": 7001, "pad": "' + pad.encode())[: size - 2] + b'"}'


@budget(10)
@given(
    bodies=st.lists(
        st.builds(
            big_body,
            st.sampled_from(["bytes", "multibyte", "json"]),
            st.integers(0, 2**32),
            st.integers(60_000, 65_536),
        ),
        min_size=5,
        max_size=20,
    ),
    signed=st.sampled_from(["none", "wrong", "", "0" * 64]),
)
def test_push_flood(world, push_settings, bodies, signed):
    """Many unsigned (or wrongly signed) bodies near 64 KB: each answered 401, each adding one
    RejectedPush row of bounded size (so 10,000 stay far under 5 MB) and nothing else."""
    before = db_snapshot()
    with rolled_back():
        for body in bodies:
            client = Client(raise_request_exception=False)
            headers = {}
            if signed == "wrong":
                headers["authorization"] = push_signature(
                    partner_key="not-ours", callback_url=PUSH_URL, body=body
                )
            elif signed != "none":
                headers["authorization"] = signed
            response = client.post(
                "/shopee/push/", body, content_type="application/json", headers=headers
            )
            what = f"flood push {shown(body)} signed {shown(signed)}"
            assert_safe(response, secrets=stored_secrets, what=what)
            assert response.status_code == 401, what
        rows = list(RejectedPush.objects.all())
        assert len(rows) == len(bodies)
        assert sorted(row.body_size for row in rows) == sorted(len(body) for body in bodies)
        for row in rows:
            assert len(row.body_prefix) <= REJECTED_PREFIX_BYTES
            assert stored_size(row) <= 400, f"{stored_size(row)} bytes kept of a rejected push"
        assert db_snapshot() == before, "a rejected flood changed more than RejectedPush"
