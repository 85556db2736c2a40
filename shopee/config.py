"""Shopee settings, validated when a Shopee action is used (never at import time).

A missing or malformed setting raises `ShopeeConfigError` naming the environment variable, so
the page that triggered the call can show a clear message while unrelated pages keep working.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from core.parsing import is_id, parse_id
from shopee.errors import ShopeeConfigError

# Named hosts of shopee-api.md section 1; any other http(s) URL is taken as given (our sandbox).
HOST_PRESETS = {
    "live": "https://partner.shopeemobile.com",
    "live-cn": "https://openplatform.shopee.cn",
    "live-br": "https://openplatform.shopee.com.br",
    "sandbox": "https://openplatform.sandbox.test-stable.shopee.sg",
    "sandbox-cn": "https://openplatform.sandbox.test-stable.shopee.cn",
}


@dataclass(frozen=True)
class ShopeeConfig:
    partner_id: int
    partner_key: str = field(repr=False)
    base_url: str
    timeout_seconds: float


def resolve_base_url(value: str) -> str:
    value = (value or "").strip()
    if value in HOST_PRESETS:
        return HOST_PRESETS[value]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        names = ", ".join(HOST_PRESETS)
        raise ShopeeConfigError(
            f"SHOPEE_API_BASE_URL must be an http(s) URL or one of: {names}; got {value!r}."
        )
    return value.rstrip("/")


def load_config() -> ShopeeConfig:
    """Read and check the SHOPEE_* settings."""
    raw_id = str(settings.SHOPEE_PARTNER_ID or "").strip()
    if not raw_id:
        raise ShopeeConfigError("SHOPEE_PARTNER_ID is not set: set it to your partner app's id.")
    if not is_id(raw_id):
        raise ShopeeConfigError("SHOPEE_PARTNER_ID must be a whole number (your partner app's id).")
    partner_key = str(settings.SHOPEE_PARTNER_KEY or "")
    if not partner_key.strip():
        raise ShopeeConfigError("SHOPEE_PARTNER_KEY is not set: set it to your partner app's key.")
    try:
        timeout = float(settings.SHOPEE_TIMEOUT_SECONDS)
    except (TypeError, ValueError):
        timeout = 0.0
    if not 0 < timeout <= 300:
        raise ShopeeConfigError("SHOPEE_TIMEOUT_SECONDS must be a number of seconds from 0 to 300.")
    return ShopeeConfig(
        partner_id=parse_id(raw_id),
        partner_key=partner_key,
        base_url=resolve_base_url(settings.SHOPEE_API_BASE_URL),
        timeout_seconds=timeout,
    )
