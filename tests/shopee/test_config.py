import pytest

from shopee.config import HOST_PRESETS, load_config
from shopee.errors import ShopeeConfigError


@pytest.fixture
def shopee_settings(settings):
    settings.SHOPEE_PARTNER_ID = "2001887"
    settings.SHOPEE_PARTNER_KEY = "key"
    settings.SHOPEE_API_BASE_URL = "http://127.0.0.1:8765/"
    settings.SHOPEE_TIMEOUT_SECONDS = "10"
    return settings


def test_valid_settings(shopee_settings):
    config = load_config()
    assert config.partner_id == 2001887
    assert config.base_url == "http://127.0.0.1:8765"
    assert config.timeout_seconds == 10
    assert "key" not in repr(config)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SHOPEE_PARTNER_ID", "", "SHOPEE_PARTNER_ID is not set"),
        ("SHOPEE_PARTNER_ID", "12ab", "SHOPEE_PARTNER_ID must be a whole number"),
        ("SHOPEE_PARTNER_KEY", "", "SHOPEE_PARTNER_KEY is not set"),
        ("SHOPEE_API_BASE_URL", "partner.shopeemobile.com", "SHOPEE_API_BASE_URL must be"),
        ("SHOPEE_TIMEOUT_SECONDS", "soon", "SHOPEE_TIMEOUT_SECONDS must be"),
        ("SHOPEE_TIMEOUT_SECONDS", "0", "SHOPEE_TIMEOUT_SECONDS must be"),
    ],
)
def test_a_bad_setting_is_named(shopee_settings, name, value, message):
    setattr(shopee_settings, name, value)
    with pytest.raises(ShopeeConfigError, match=message):
        load_config()


@pytest.mark.parametrize("preset", sorted(HOST_PRESETS))
def test_named_hosts(shopee_settings, preset):
    shopee_settings.SHOPEE_API_BASE_URL = preset
    assert load_config().base_url == HOST_PRESETS[preset]
