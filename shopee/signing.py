"""Request signing for Shopee Open Platform v2 (shopee-api.md section 2).

Wire format: ``sign`` is the lowercase hex HMAC-SHA256, keyed with the partner key's text bytes
(not hex-decoded), of a base string concatenated without separators:

- public APIs (auth, token):  ``partner_id + api_path + timestamp``
- shop APIs (voucher/*):      ``partner_id + api_path + timestamp + access_token + shop_id``

``api_path`` is the path without host, e.g. ``/api/v2/voucher/end_voucher``. Bodies and business
parameters are never signed.

Shopee's pushes to us carry an ``Authorization`` header: the lowercase hex HMAC-SHA256, keyed
the same way, of ``callback_url + "|" + raw_body`` (the URL registered with Shopee, and the body
bytes exactly as received).
"""

import hashlib
import hmac


def base_string(
    *,
    partner_id: int,
    api_path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | None = None,
) -> str:
    """The text to sign: public form without a shop, shop form with access_token and shop_id."""
    if (access_token is None) != (shop_id is None):
        raise ValueError("A shop signature needs both access_token and shop_id.")
    text = f"{partner_id}{api_path}{timestamp}"
    if access_token is not None:
        text += f"{access_token}{shop_id}"
    return text


def sign(
    *,
    partner_key: str,
    partner_id: int,
    api_path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | None = None,
) -> str:
    """Return the 64-character lowercase hex signature of one request."""
    text = base_string(
        partner_id=partner_id,
        api_path=api_path,
        timestamp=timestamp,
        access_token=access_token,
        shop_id=shop_id,
    )
    return hmac.new(partner_key.encode(), text.encode(), hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(expected.encode(), given.encode())


def push_signature(*, partner_key: str, callback_url: str, body: bytes) -> str:
    """The ``Authorization`` value Shopee sends with a push of `body` to `callback_url`."""
    message = callback_url.encode() + b"|" + body
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()
