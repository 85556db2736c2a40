"""The Shopee client against the sandbox over HTTP: answers, refusals and every failure kind."""

import logging
import time

import pytest

from shopee import api
from shopee.client import ShopAuth, ShopeeClient, get_client
from shopee.config import load_config
from shopee.errors import (
    ShopeeAuthError,
    ShopeeBusinessError,
    ShopeeConfigError,
    ShopeeRateLimitError,
    ShopeeTransientError,
)
from tests.conftest import PARTNER_ID, PARTNER_KEY
from tests.shopee.servers import QuietHandler

SHOP_ID = 14701711
TOKEN = "59777174636562737266615546704c6d"
END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def shop(sandbox):
    now = int(time.time())
    sandbox.control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": [
                {
                    "shop_id": SHOP_ID,
                    "partner_id": PARTNER_ID,
                    "name": "Test shop",
                    "region": "SG",
                    "access_token": TOKEN,
                    "refresh_token": "a" * 32,
                }
            ],
            "vouchers": [
                {
                    "shop_id": SHOP_ID,
                    "voucher_id": 1,
                    "start_time": now - 60,
                    "end_time": now + 3600,
                },
                {
                    "shop_id": SHOP_ID,
                    "voucher_id": 2,
                    "start_time": now + 600,
                    "end_time": now + 3600,
                },
            ],
        }
    )
    return ShopAuth(shop_id=SHOP_ID, access_token=TOKEN)


def send(shop, call):
    client = get_client()
    return client.send(client.prepare(call, shop=shop))


def test_success_keeps_request_id_and_payload(shop, sandbox):
    result = send(shop, api.end_voucher(voucher_id=1))
    assert result.response == {"voucher_id": 1}
    assert len(result.request_id) == 32
    assert sandbox.calls(END)[0]["request_id"] == result.request_id
    assert sandbox.voucher(1)["end_time"] <= int(time.time()) + 1


def test_a_refusal_is_a_business_error_with_shopee_words(shop):
    with pytest.raises(ShopeeBusinessError) as caught:
        send(shop, api.end_voucher(voucher_id=2))
    error = caught.value
    assert error.error == "voucher.end_voucher_status_error"
    assert error.message == "Can only end the ongoing voucher."
    assert len(error.request_id) == 32
    assert error.http_status == 200


def test_a_wrong_token_is_an_authorization_error(shop):
    with pytest.raises(ShopeeAuthError) as caught:
        send(ShopAuth(shop_id=SHOP_ID, access_token="0" * 32), api.end_voucher(voucher_id=1))
    assert caught.value.message == "Invalid access_token."


def test_a_wrong_partner_key_is_a_configuration_error(shop, settings):
    settings.SHOPEE_PARTNER_KEY = "not-the-key"
    with pytest.raises(ShopeeConfigError) as caught:
        send(shop, api.end_voucher(voucher_id=1))
    assert caught.value.error == "error_sign"


def test_a_stale_clock_is_refused(shop, sandbox):
    client = ShopeeClient(load_config(), clock=lambda: time.time() - 600)
    with pytest.raises(ShopeeConfigError, match="Timestamp is expired"):
        client.send(client.prepare(api.end_voucher(voucher_id=1), shop=shop))


def test_html_500_is_transient_and_keeps_an_excerpt(shop, sandbox):
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "http_status",
                "status": 500,
                "content_type": "text/html",
                "body": "<html><body>Bad gateway upstream</body></html>",
            }
        ]
    )
    with pytest.raises(ShopeeTransientError) as caught:
        send(shop, api.end_voucher(voucher_id=1))
    assert caught.value.http_status == 500
    assert "Bad gateway upstream" in caught.value.body_excerpt
    assert sandbox.voucher(1)["end_time"] > int(time.time()) + 60  # not ended


def test_json_error_with_5xx_keeps_request_id(shop, sandbox):
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "error_server",
                "message": "Internal server error",
                "status": 503,
            }
        ]
    )
    with pytest.raises(ShopeeTransientError) as caught:
        send(shop, api.end_voucher(voucher_id=1))
    assert caught.value.http_status == 503
    assert caught.value.error == "error_server"
    assert len(caught.value.request_id) == 32


def test_rate_limit(shop, sandbox):
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "shopee_error",
                "error": "error_rate_limit",
                "message": "Too many requests",
            }
        ]
    )
    with pytest.raises(ShopeeRateLimitError):
        send(shop, api.end_voucher(voucher_id=1))


def test_non_json_body(shop, sandbox):
    sandbox.control.set_faults(
        [{"path": END, "kind": "non_json", "body": "upstream connect error"}]
    )
    with pytest.raises(ShopeeTransientError, match="not JSON") as caught:
        send(shop, api.end_voucher(voucher_id=1))
    assert caught.value.body_excerpt == "upstream connect error"


def test_dropped_connection(shop, sandbox):
    sandbox.control.set_faults([{"path": END, "kind": "drop"}])
    with pytest.raises(ShopeeTransientError, match="dropped"):
        send(shop, api.end_voucher(voucher_id=1))


def test_timeout(shop, sandbox):
    sandbox.control.set_faults([{"path": END, "kind": "hang", "hang_seconds": 3}])
    started = time.monotonic()
    with pytest.raises(ShopeeTransientError, match="timeout"):
        send(shop, api.end_voucher(voucher_id=1))
    assert time.monotonic() - started < 2.5


def test_unreachable_host(settings, shop):
    settings.SHOPEE_API_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(ShopeeTransientError):
        send(shop, api.end_voucher(voucher_id=1))


def test_a_redirect_is_not_followed_with_the_signed_query(settings, shop, local_server):
    """A base URL that redirects (http to https, a moved host) is a configuration to fix: the
    signed query, access token included, is never sent on to where the redirect points."""
    followed = []

    class Redirecting(QuietHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            if self.path.startswith("/elsewhere"):
                followed.append(self.path)
            self.send_response(301)
            self.send_header("Location", f"{settings.SHOPEE_API_BASE_URL}/elsewhere{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    settings.SHOPEE_API_BASE_URL = local_server(Redirecting)
    with pytest.raises(ShopeeConfigError, match="HTTP 301") as caught:
        send(shop, api.end_voucher(voucher_id=1))
    assert caught.value.http_status == 301
    assert followed == []


def test_an_answer_cut_short_is_a_network_failure(settings, shop, local_server):
    """The connection drops in the middle of the answer's body (fewer bytes than announced)."""

    class CutShort(QuietHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"request_id": "cut", "response": {')
            self.wfile.flush()
            self.close_connection = True

    settings.SHOPEE_API_BASE_URL = local_server(CutShort)
    with pytest.raises(ShopeeTransientError, match="dropped"):
        send(shop, api.end_voucher(voucher_id=1))


def test_no_secret_in_errors_redacted_request_or_logs(shop, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = get_client()
    prepared = client.prepare(api.end_voucher(voucher_id=1), shop=shop)
    sign = prepared.params["sign"]
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "http_status",
                "status": 502,
                "content_type": "text/html",
                "body": f"<html>proxy failed for {END}?access_token={TOKEN}&sign={sign}</html>",
            }
        ]
    )
    with pytest.raises(ShopeeTransientError) as caught:
        client.send(prepared)
    sandbox.control.set_faults([{"path": END, "kind": "drop"}])
    with pytest.raises(ShopeeTransientError) as dropped:
        client.send(client.prepare(api.end_voucher(voucher_id=1), shop=shop))
    texts = [
        str(caught.value),
        caught.value.body_excerpt,
        repr(caught.value.response),
        str(dropped.value),
        dropped.value.body_excerpt,
        repr(prepared),
        repr(prepared.redacted()),
        caplog.text,
    ]
    for text in texts:
        for secret in (TOKEN, sign, PARTNER_KEY):
            assert secret not in text
    assert prepared.redacted()["query"]["access_token"] == "[redacted]"
    assert prepared.redacted()["query"]["sign"] == "[redacted]"


def answer(sandbox, shop, text):
    """Shopee answers the end call with `text` (HTTP 200, JSON)."""
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "http_status",
                "status": 200,
                "content_type": "application/json",
                "body": text,
            }
        ]
    )
    return send(shop, api.end_voucher(voucher_id=1))


def test_an_answer_without_secrets_is_stored_as_read_without_a_copy(shop, sandbox):
    # A voucher page is the bulk of a sync: it is not walked again to be redacted ("code" is
    # a secret key; "voucher_code" is not).
    result = answer(
        sandbox, shop, '{"request_id": "r1", "response": {"voucher_code": "SALE", "name": "\\t"}}'
    )
    assert result.redacted_body() is result.body
    assert result.response == {"voucher_code": "SALE", "name": "\t"}


@pytest.mark.parametrize(
    "text",
    [
        '{"request_id": "r1", "response": {"access_token": "tok-secret"}}',
        '{"request_id": "r1", "response": {"code" : "tok-secret"}}',
        # A secret key spelled with an escape is still a secret key.
        '{"request_id": "r1", "response": {"acc\\u0065ss_token": "tok-secret"}}',
    ],
)
def test_secrets_in_an_answer_are_still_redacted(shop, sandbox, text):
    result = answer(sandbox, shop, text)
    assert "tok-secret" not in str(result.redacted_body())
    assert "tok-secret" in str(result.body)


def test_an_escaped_nul_in_an_answer_is_still_replaced(shop, sandbox):
    result = answer(sandbox, shop, '{"request_id": "r1", "response": {"name": "a\\u0000b"}}')
    assert result.response == {"name": "a\ufffdb"}
