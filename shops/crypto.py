"""Encryption at rest of shop tokens, with Fernet (the `cryptography` package).

Keys come from TOKEN_ENCRYPTION_KEYS, a comma-separated list of Fernet keys kept apart from
SECRET_KEY. The first key encrypts; every key decrypts, so a new key can be put first and the old
ones kept until `manage.py rotate_token_keys` has re-encrypted every token with the new one.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class TokenDecryptionError(Exception):
    """A stored token cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 "
            "bytes). Make one with: manage.py generate_token_key"
        ) from None


def fernet() -> MultiFernet:
    keys = tuple(key.strip() for key in settings.TOKEN_ENCRYPTION_KEYS if key.strip())
    if not keys:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS is not set: shop tokens are encrypted with it. "
            "Make a key with: manage.py generate_token_key"
        )
    return _fernet_for(keys)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(
            "A stored token cannot be decrypted with TOKEN_ENCRYPTION_KEYS: was a key removed "
            "before `manage.py rotate_token_keys` ran?"
        ) from None


class EncryptedTextField(models.TextField):
    """Text stored as Fernet ciphertext; Python code sees the plain text.

    Values cannot be looked up in queries (each encryption differs). Empty text stays empty.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
