"""Tokens are encrypted at rest under keys of their own, and keys can be rotated."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from shops.crypto import TokenDecryptionError, encrypt
from shops.models import ShopToken
from tests.factories import ShopTokenFactory

pytestmark = pytest.mark.django_db


def raw_tokens():
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM vouchers_shoptoken")
        return cursor.fetchall()


def test_the_database_holds_no_token_in_clear_text():
    token = ShopTokenFactory(access_token="a" * 32, refresh_token="b" * 32)
    [(access, refresh)] = raw_tokens()
    assert "a" * 32 not in access and "b" * 32 not in refresh
    assert access.startswith("gAAAA")  # a Fernet token
    assert ShopToken.objects.get(pk=token.pk).access_token == "a" * 32


def test_rotation_reencrypts_with_the_new_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    ShopTokenFactory(access_token="c" * 32, refresh_token="d" * 32)
    before = raw_tokens()

    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_token_keys")
    assert raw_tokens() != before

    settings.TOKEN_ENCRYPTION_KEYS = [new]
    stored = ShopToken.objects.get()
    assert (stored.access_token, stored.refresh_token) == ("c" * 32, "d" * 32)
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    with pytest.raises(TokenDecryptionError, match="rotate_token_keys"):
        ShopToken.objects.get()


def test_a_missing_or_bad_key_is_named(settings):
    settings.TOKEN_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="TOKEN_ENCRYPTION_KEYS is not set"):
        encrypt("token")
    settings.TOKEN_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        encrypt("token")
