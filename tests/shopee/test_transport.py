"""How the client reaches Shopee's host: through the environment's proxy, and over TLS checked
against the CA bundle the environment names (a corporate proxy's or gateway's own CA)."""

import base64
import json

import pytest

from shopee import api
from shopee.client import ShopAuth, ShopeeClient
from shopee.config import load_config
from shopee.errors import ShopeeConfigError, ShopeeTransientError
from tests.sandbox.receiver import Receiver
from tests.shopee.servers import self_signed_tls

SHOP = ShopAuth(shop_id=14701711, access_token="59777174636562737266615546704c6d")
SUCCESS = json.dumps({"request_id": "via-local", "error": "", "response": {}}).encode()
PROXY_VARIABLES = [
    name
    for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    for name in (base, base.upper())
]


@pytest.fixture
def environment(monkeypatch, settings):
    """No proxy or CA bundle from the machine's own environment."""
    for name in [*PROXY_VARIABLES, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]:
        monkeypatch.delenv(name, raising=False)
    settings.SHOPEE_PARTNER_ID = 2001887
    settings.SHOPEE_PARTNER_KEY = "test-partner-key"
    return monkeypatch


@pytest.fixture
def shopee_like():
    """serve(tls=None) -> a Receiver that answers every call as Shopee answers a success."""
    servers = []

    def serve(tls=None) -> Receiver:
        server = Receiver(tls=tls)
        server.answer = SUCCESS
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


def only_call(server: Receiver):
    """The one request `server` received: its target, its headers (by lower-case name), body."""
    [request] = server.received
    headers = {name.lower(): value for name, value in request.headers.items()}
    return request.path, headers, json.loads(request.body)


def end(client):
    return client.send(client.prepare(api.end_voucher(voucher_id=7), shop=SHOP))


@pytest.mark.parametrize(
    ("form", "login"),
    [
        ("http://merch:p%40ss@{address}", "Basic " + base64.b64encode(b"merch:p@ss").decode()),
        ("{address}", None),  # no scheme: http://, as requests takes it
    ],
)
def test_the_environments_proxy_carries_the_call(environment, settings, shopee_like, form, login):
    proxy = shopee_like()
    address = proxy.base_url.removeprefix("http://")
    environment.setenv("HTTP_PROXY", form.format(address=address))
    settings.SHOPEE_API_BASE_URL = "http://shopee.invalid"  # reachable only through the proxy

    result = end(ShopeeClient(load_config()))

    assert result.request_id == "via-local"
    target, headers, body = only_call(proxy)
    assert target.startswith("http://shopee.invalid/api/v2/voucher/end_voucher?partner_id=")
    assert headers.get("proxy-authorization") == login
    assert body == {"voucher_id": 7}


def test_a_host_in_no_proxy_is_reached_directly(environment, settings, shopee_like):
    proxy, host = shopee_like(), shopee_like()
    environment.setenv("HTTP_PROXY", proxy.base_url)
    environment.setenv("NO_PROXY", "127.0.0.1")
    settings.SHOPEE_API_BASE_URL = host.base_url

    assert end(ShopeeClient(load_config())).request_id == "via-local"
    assert proxy.received == []
    target, _headers, _body = only_call(host)
    assert target.startswith("/api/v2/voucher/end_voucher?partner_id=")


def test_a_socks_proxy_is_a_configuration_error_naming_the_variables(environment, settings):
    environment.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    settings.SHOPEE_API_BASE_URL = "https://partner.shopeemobile.com"
    with pytest.raises(ShopeeConfigError, match="HTTPS_PROXY, HTTP_PROXY or ALL_PROXY"):
        ShopeeClient(load_config())


def test_a_host_is_trusted_through_the_ca_bundle_the_environment_names(
    environment, settings, shopee_like, tmp_path
):
    tls, bundle = self_signed_tls(tmp_path)
    settings.SHOPEE_API_BASE_URL = shopee_like(tls=tls).base_url

    with pytest.raises(ShopeeTransientError, match="failed") as caught:
        end(ShopeeClient(load_config()))  # certifi's bundle does not know this host's issuer
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.body_excerpt

    environment.setenv("REQUESTS_CA_BUNDLE", bundle)
    assert end(ShopeeClient(load_config())).request_id == "via-local"
