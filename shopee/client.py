"""The one HTTP client for Shopee Open Platform v2.

Every request goes through `ShopeeClient.send()`: one urllib3 connection pool, a timeout on
every call, the envelope parsed whatever the HTTP status, and every failure raised as a typed
`ShopeeError` that keeps the HTTP status, Shopee's `request_id` and an excerpt of a non-JSON
body. Secrets (partner key, tokens, sign) never reach a log line, an exception or
`PreparedCall.redacted()`.

A call is made in two steps so that the caller can record it before it leaves::

    prepared = client.prepare(api.end_voucher(voucher_id=1), shop=ShopAuth(shop_id, token))
    audit_row = ...prepared.redacted()...      # written before the request is sent
    result = client.send(prepared)            # or a ShopeeError
"""

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlencode

import requests
import urllib3
from urllib3.exceptions import ProtocolError, SSLError

from shopee import signing
from shopee.api import ApiCall
from shopee.config import ShopeeConfig, load_config
from shopee.errors import (
    ERROR_CLASSES,
    ShopeeConfigError,
    ShopeeError,
    ShopeeRateLimitError,
    ShopeeTransientError,
    classify,
)
from shopee.redaction import REDACTED, SECRET_KEYS, redact, scrub

logger = logging.getLogger(__name__)

BODY_EXCERPT_CHARS = 500
# The call log's columns (vouchers.models.ShopeeCall): longer values are cut, not refused.
ERROR_CHARS = 100
REQUEST_ID_CHARS = 64
# No database stores NUL in text or JSON (PostgreSQL refuses it): Shopee's answer never has one.
NUL_REPLACEMENT = "\ufffd"
# Connections kept open to Shopee's host: more than a run's calls in flight (END_RUN_CONCURRENCY).
POOL_SIZE = 64
HEADERS = {
    **urllib3.make_headers(keep_alive=True, accept_encoding=True),
    "Accept": "application/json",
    "User-Agent": f"shopadmin (urllib3/{urllib3.__version__})",
}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}


@dataclass(frozen=True)
class ShopAuth:
    """What a shop API call needs: the shop and its current access token."""

    shop_id: int
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class PreparedCall:
    """A signed request, ready to send. `url` and `params` hold secrets: never log them."""

    api: ApiCall
    shop_id: int | None
    timestamp: int
    url: str = field(repr=False)
    params: dict = field(repr=False)
    secrets: tuple = field(repr=False)

    def redacted(self) -> dict:
        """The request as it may be stored: secrets replaced, nothing else changed."""
        query = {
            key: REDACTED if key in ("access_token", "sign") else value
            for key, value in self.params.items()
        }
        return {
            "method": self.api.method,
            "path": self.api.path,
            "query": query,
            "body": redact(self.api.body),
        }


@dataclass(frozen=True)
class ShopeeResult:
    """A successful answer. `body` may hold tokens (auth APIs): store `redacted_body()` only."""

    http_status: int
    request_id: str
    message: str
    warning: object
    body: dict = field(repr=False)
    duration_ms: int
    # No object of the answer has a key that `redact()` replaces: `body` is already what may be
    # stored, and is not copied again for every call.
    secret_free: bool = field(default=False, repr=False)
    # The answer's JSON text when it is `redacted_body()` as received (secret-free, no NUL
    # escape replaced): the call log stores it without dumping the body again.
    text: str | None = field(default=None, repr=False)

    @property
    def response(self):
        return self.body.get("response")

    def redacted_body(self) -> dict:
        return self.body if self.secret_free else redact(self.body)


def wall_clock() -> float:
    """Unix time for request timestamps (Shopee refuses one more than 5 minutes old)."""
    return time.time()


class ShopeeClient:
    def __init__(self, config: ShopeeConfig, *, clock=None):
        self.config = config
        # Where each call is sent, and what goes before the API's path: a proxy is sent the
        # whole URL; without one, the host's own pool (found once, not from the URL for every
        # call) is sent the path.
        self._pool, self._prefix = _pool(config.base_url), config.base_url
        if not isinstance(self._pool, urllib3.ProxyManager):
            self._pool = self._pool.connection_from_url(config.base_url)
            self._prefix = urllib3.util.parse_url(config.base_url).path or ""
        self.clock = clock
        self._timeout = urllib3.Timeout(connect=config.timeout_seconds, read=config.timeout_seconds)

    def now(self) -> int:
        return int((self.clock or wall_clock)())

    def prepare(self, api: ApiCall, *, shop: ShopAuth | None = None) -> PreparedCall:
        """Sign `api` now: public signature without `shop`, shop signature with it."""
        timestamp = self.now()
        params = {"partner_id": self.config.partner_id, "timestamp": timestamp}
        secrets = [self.config.partner_key]
        if shop is not None:
            if not shop.access_token:
                raise ShopeeConfigError(f"Shop {shop.shop_id} has no access token.")
            params["access_token"] = shop.access_token
            params["shop_id"] = shop.shop_id
            secrets.append(shop.access_token)
        params["sign"] = signing.sign(
            partner_key=self.config.partner_key,
            partner_id=self.config.partner_id,
            api_path=api.path,
            timestamp=timestamp,
            access_token=shop.access_token if shop else None,
            shop_id=shop.shop_id if shop else None,
        )
        secrets.append(params["sign"])
        for key in ("refresh_token", "code"):
            if api.body and api.body.get(key):
                secrets.append(str(api.body[key]))
        params.update(api.query)
        return PreparedCall(
            api=api,
            shop_id=shop.shop_id if shop else None,
            timestamp=timestamp,
            url=self.config.base_url + api.path,
            params=params,
            secrets=tuple(secrets),
        )

    def send(self, call: PreparedCall) -> ShopeeResult:
        """Send `call` once. Returns the answer or raises a `ShopeeError` subclass."""
        started = time.monotonic()
        try:
            body = headers = None
            if call.api.method == "POST":
                body = json.dumps(call.api.body, allow_nan=False).encode()
                headers = JSON_HEADERS
            # Not retried, and a redirect not followed: its answer is reported as what it is, a
            # page that is not Shopee's JSON (the query holds the access token and the sign).
            # The whole body is read here: an answer cut short is a network failure.
            http = self._pool.urlopen(
                call.api.method,
                f"{self._prefix}{call.api.path}?{urlencode(call.params)}",
                body=body,
                headers=headers or HEADERS,
                timeout=self._timeout,
                retries=False,
                redirect=False,
                preload_content=True,
            )
        except (urllib3.exceptions.HTTPError, ValueError) as exc:
            error = self._network_error(exc, call)
            error.duration_ms = _elapsed_ms(started)
            self._log(call, error.duration_ms, outcome=f"failed: {error.message}")
            raise error from None
        duration_ms = _elapsed_ms(started)
        try:
            result = self._parse(http, call, duration_ms)
        except ShopeeError as error:
            error.duration_ms = duration_ms
            self._log(call, duration_ms, outcome=str(error))
            raise
        self._log(call, duration_ms, outcome=f"ok request_id {result.request_id}")
        return result

    def _parse(self, http, call: PreparedCall, duration_ms: int) -> ShopeeResult:
        status = http.status
        text = _text(http).replace("\x00", NUL_REPLACEMENT)
        body, secret_free, as_received = _json_object(text)
        if body is None:
            excerpt = scrub(text[:BODY_EXCERPT_CHARS], call.secrets)
            raise _non_json_error_class(status)(
                f"Shopee answered HTTP {status} with a body that is not JSON.",
                http_status=status,
                body_excerpt=excerpt,
                response={"non_json_body": excerpt},
            )
        error = str(body.get("error") or "")[:ERROR_CHARS]
        message = scrub(str(body.get("message") or body.get("msg") or ""), call.secrets)
        request_id = str(body.get("request_id") or "")[:REQUEST_ID_CHARS]
        if error or status >= 400:
            kind = classify(error, status)
            raise ERROR_CLASSES[kind](
                message or f"Shopee answered HTTP {status}.",
                error=error,
                http_status=status,
                request_id=request_id,
                response=redact(body),
            )
        return ShopeeResult(
            http_status=status,
            request_id=request_id,
            message=message,
            warning=body.get("warning"),
            body=body,
            duration_ms=duration_ms,
            secret_free=secret_free,
            text=text if as_received else None,
        )

    def _network_error(self, exc, call: PreparedCall) -> ShopeeError:
        # A refused or unresolved connection is a NewConnectionError, which urllib3 derives
        # from its connect timeout: told apart first.
        if isinstance(exc, urllib3.exceptions.NewConnectionError | ProtocolError | SSLError):
            message = "The connection to Shopee failed or was dropped before an answer."
        elif isinstance(exc, urllib3.exceptions.TimeoutError):
            message = f"No answer from Shopee within {self.config.timeout_seconds:g} s (timeout)."
        else:
            message = f"The request to Shopee failed ({type(exc).__name__})."
        detail = scrub(str(exc), call.secrets)[:BODY_EXCERPT_CHARS]
        return ShopeeTransientError(
            message, body_excerpt=detail, response={"network_error": detail}
        )

    def _log(self, call: PreparedCall, duration_ms: int, *, outcome: str):
        logger.info(
            "Shopee %s %s shop=%s %dms %s",
            call.api.method,
            call.api.path,
            call.shop_id,
            duration_ms,
            outcome,
        )


def _json_object(text: str) -> tuple[dict | None, bool, bool]:
    """Shopee's answer as a JSON object (None when it is not one); whether no object in it has a
    secret key (`redact()` would change nothing); and whether it is `text` as received (no NUL
    escape replaced). Standard JSON only: NaN, Infinity and numbers beyond a float's range
    (1e999) are not JSON for the call log either (PostgreSQL's jsonb refuses them); NUL
    characters in strings are replaced."""
    secret = []

    def keys_seen(obj: dict) -> dict:
        if not SECRET_KEYS.isdisjoint(obj):
            secret.append(True)
        return obj

    try:
        body = json.loads(
            text, object_hook=keys_seen, parse_constant=_not_json, parse_float=_finite_float
        )
    except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
        return None, False, False
    if not isinstance(body, dict):
        return None, False, False
    # `text` has no raw NUL left: only the escape can put one in a string (a voucher page is
    # walked for nothing otherwise).
    if "\\u0000" in text:
        return _without_nul(body), not secret, False
    return body, not secret, not secret


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", NUL_REPLACEMENT)
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _text(http) -> str:
    """The answer's body as text, in the charset its Content-Type names (as requests reads it),
    else UTF-8 (JSON's); bytes that are not in it replaced."""
    charset = requests.utils.get_encoding_from_headers(http.headers) or "utf-8"
    try:
        return http.data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return http.data.decode("utf-8", errors="replace")


def _pool(base_url: str) -> urllib3.PoolManager:
    """The connection pool for Shopee's host, through the proxy the environment names for it
    (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, as requests reads them), checking its
    certificate against REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when set, else certifi's bundle
    (as requests does). Read once, not before every request."""
    bundle = (
        os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or requests.certs.where()
    )
    options = {
        "num_pools": 4,
        "maxsize": POOL_SIZE,
        "headers": HEADERS,
        "cert_reqs": "CERT_REQUIRED",
        **({"ca_cert_dir": bundle} if os.path.isdir(bundle) else {"ca_certs": bundle}),
    }
    proxy = requests.utils.select_proxy(base_url, requests.utils.get_environ_proxies(base_url))
    if not proxy:
        return urllib3.PoolManager(**options)
    # A proxy named without a scheme (proxy.example:3128) is http://, as requests takes it.
    parts = urllib3.util.parse_url(requests.utils.prepend_scheme_if_needed(proxy, "http"))
    if parts.scheme not in ("http", "https"):
        raise ShopeeConfigError(
            f"The proxy for Shopee's host must be an http:// or https:// URL, not {parts.scheme}://"
            " (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)."
        )
    login = unquote(parts.auth) if parts.auth else None
    return urllib3.ProxyManager(
        parts._replace(auth=None).url,
        proxy_headers=urllib3.make_headers(proxy_basic_auth=login) if login else None,
        **options,
    )


def _non_json_error_class(status: int):
    """A proxy's or gateway's page: retry unless it is a redirect (the base URL is not Shopee's
    API: not followed) or a 4xx other than 429 (wrong host/path)."""
    if status == 429:
        return ShopeeRateLimitError
    if 300 <= status < 500:
        return ShopeeConfigError
    return ShopeeTransientError


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@lru_cache(maxsize=4)
def _client_for(config: ShopeeConfig) -> ShopeeClient:
    return ShopeeClient(config)


def get_client() -> ShopeeClient:
    """The process's client for the configured partner app (raises ShopeeConfigError)."""
    return _client_for(load_config())
