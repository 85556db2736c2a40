import pytest

from shopee import signing

VECTOR = {"partner_key": "test_partner_key", "partner_id": 2001887, "timestamp": 1655714431}


@pytest.mark.parametrize(
    ("api_path", "expected"),
    [
        (
            "/api/v2/auth/token/get",
            "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451",
        ),
        (
            "/api/v2/auth/access_token/get",
            "18139d370866f9c996c4a9915a66ff0d4720e2b03660c5f3040ffbc8289dab93",
        ),
    ],
)
def test_public_signature_matches_the_contract_vectors(api_path, expected):
    assert signing.sign(api_path=api_path, **VECTOR) == expected


def test_shop_signature_matches_the_contract_vector():
    sign = signing.sign(
        api_path="/api/v2/voucher/end_voucher",
        access_token="59777174636562737266615546704c6d",
        shop_id=14701711,
        **VECTOR,
    )
    assert sign == "b9818645b51d6b1f0af88b55bbed03f013aa17bad4e88f216fb3f5721bd983a6"


def test_base_strings_concatenate_without_separators():
    assert (
        signing.base_string(
            partner_id=1, api_path="/api/v2/x", timestamp=2, access_token="t", shop_id=3
        )
        == "1/api/v2/x2t3"
    )
    assert signing.base_string(partner_id=1, api_path="/api/v2/x", timestamp=2) == "1/api/v2/x2"


def test_a_shop_signature_needs_both_token_and_shop():
    with pytest.raises(ValueError, match="both"):
        signing.base_string(partner_id=1, api_path="/p", timestamp=2, access_token="t")


def test_signature_comparison():
    assert signing.signature_matches("ab" * 32, "ab" * 32)
    assert not signing.signature_matches("ab" * 32, "ac" * 32)
