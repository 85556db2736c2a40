"""Removing secrets from anything that may be stored, logged or shown.

Secrets are the partner key, access and refresh tokens, `sign` and the authorization `code`.
Structured data is redacted by key; free text (an HTML error page, an exception message) is
scrubbed of the known secret values and of URL query strings, which carry token and sign.
"""

import re

REDACTED = "[redacted]"
SECRET_KEYS = frozenset({"access_token", "refresh_token", "sign", "partner_key", "code"})
_QUERY_STRING = re.compile(r"\?[^\s'\"<>)]*")


def redact(value):
    """Return a copy of JSON-like `value` with the values of secret keys replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED if key in SECRET_KEYS and item not in (None, "") else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def scrub(text: str, secrets=()) -> str:
    """Remove known secret values and URL query strings from free text."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _QUERY_STRING.sub("?" + REDACTED, text)
