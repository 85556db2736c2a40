"""Signatures: the three vectors of shopee-api.md, checked by the signer and by the server."""

import time

import pytest

from sandbox import wire
from sandbox.common import authenticate_partner, authenticate_shop
from sandbox.signing import base_string, push_signature, sign_matches, signature, signed_query
from sandbox.state import SandboxState

KEY = "test_partner_key"
PARTNER = 2001887
TIMESTAMP = 1655714431
TOKEN = "59777174636562737266615546704c6d"
SHOP = 14701711
VECTORS = [
    (
        "/api/v2/auth/token/get",
        None,
        None,
        "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451",
    ),
    (
        "/api/v2/auth/access_token/get",
        None,
        None,
        "18139d370866f9c996c4a9915a66ff0d4720e2b03660c5f3040ffbc8289dab93",
    ),
    (
        "/api/v2/voucher/end_voucher",
        TOKEN,
        SHOP,
        "b9818645b51d6b1f0af88b55bbed03f013aa17bad4e88f216fb3f5721bd983a6",
    ),
]


@pytest.mark.parametrize(("path", "token", "shop_id", "expected"), VECTORS)
def test_signature_vectors(path, token, shop_id, expected):
    got = signature(
        partner_key=KEY,
        partner_id=PARTNER,
        path=path,
        timestamp=TIMESTAMP,
        access_token=token,
        shop_id=shop_id,
    )
    assert got == expected


def test_base_strings_have_no_separators():
    public = base_string(partner_id=PARTNER, path="/api/v2/auth/token/get", timestamp=TIMESTAMP)
    assert public == "2001887/api/v2/auth/token/get1655714431"
    shop = base_string(
        partner_id=PARTNER, path="/p", timestamp=TIMESTAMP, access_token=TOKEN, shop_id=SHOP
    )
    assert shop == f"2001887/p1655714431{TOKEN}{SHOP}"


def test_sign_matches_is_exact():
    good = VECTORS[0][3]
    assert sign_matches(good, good)
    assert not sign_matches(good, good.upper())
    assert not sign_matches(good, good[:-1])


def state_at_vector_time() -> SandboxState:
    """A state whose clock reads the vectors' timestamp, with the vectors' partner and shop."""
    state = SandboxState()
    state.reset(
        {
            "partners": [{"partner_id": PARTNER, "partner_key": KEY}],
            "shops": [{"shop_id": SHOP, "partner_id": PARTNER, "access_token": TOKEN}],
        }
    )
    state.clock_offset = TIMESTAMP - time.time()
    return state


@pytest.mark.parametrize(("path", "token", "shop_id", "expected"), VECTORS)
def test_server_accepts_the_vectors(path, token, shop_id, expected):
    state = state_at_vector_time()
    query = {"partner_id": str(PARTNER), "timestamp": str(TIMESTAMP), "sign": expected}
    if token is None:
        assert authenticate_partner(state, query, path=path) == PARTNER
    else:
        query |= {"access_token": token, "shop_id": str(shop_id)}
        caller = authenticate_shop(state, wire.Request("POST", path, query))
        assert (caller.partner_id, caller.shop_id) == (PARTNER, SHOP)


def test_server_refuses_a_vector_on_another_path():
    state = state_at_vector_time()
    query = {"partner_id": str(PARTNER), "timestamp": str(TIMESTAMP), "sign": VECTORS[0][3]}
    with pytest.raises(wire.ShopeeError) as refused:
        authenticate_partner(state, query, path="/api/v2/auth/access_token/get")
    assert (refused.value.error, refused.value.message) == ("error_sign", "Wrong sign.")


def test_signed_query_carries_the_common_parameters():
    query = signed_query(
        partner_id=PARTNER,
        partner_key=KEY,
        path="/api/v2/voucher/end_voucher",
        timestamp=TIMESTAMP,
        access_token=TOKEN,
        shop_id=SHOP,
    )
    assert query == {
        "partner_id": "2001887",
        "timestamp": "1655714431",
        "access_token": TOKEN,
        "shop_id": "14701711",
        "sign": VECTORS[2][3],
    }


def test_push_signature_matches_an_openssl_vector():
    # printf '%s' 'URL|BODY' | openssl dgst -sha256 -hmac test_partner_key
    url = "http://127.0.0.1:8000/shopee/push"
    body = b'{"code": 0, "timestamp": 1655714431, "data": {"verify_info": "x"}}'
    expected = "7a254e9b9d3e34b254550ba3ca4d05860637c3561d5406aa72bb1a54dfd046a3"
    assert push_signature(KEY, url, body) == expected
    assert push_signature(KEY, url, body + b" ") != expected  # the raw bytes, exactly
    assert push_signature(KEY, url + "/", body) != expected  # the URL is signed too
