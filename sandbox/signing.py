"""Shopee Open Platform v2 request signatures (pure functions, standard library only).

Wire format (see ``/work/shared/shopee-api.md`` section 2):

* public APIs (auth, token): base string ``partner_id + api_path + timestamp``;
* shop APIs (``voucher/*``): base string
  ``partner_id + api_path + timestamp + access_token + shop_id``;
* ``sign`` is the 64-character lowercase hex HMAC-SHA256 of the base string, keyed with the
  partner_key's **text bytes** (UTF-8, never hex-decoded). Concatenation has no separators and
  neither the body nor the business parameters are signed.

The sandbox verifies with :func:`sign_matches` (constant-time); clients and tests build their
query strings with :func:`signed_query`. Pushes (Shopee calling the partner) are signed
differently: :func:`push_signature`.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = [
    "base_string",
    "push_signature",
    "sign",
    "sign_matches",
    "signature",
    "signed_query",
]


def base_string(
    *,
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """Return the base string: public when ``access_token`` and ``shop_id`` are None, else shop."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None or shop_id is not None:
        base += f"{access_token or ''}{'' if shop_id is None else shop_id}"
    return base


def sign(partner_key: str, base: str) -> str:
    """HMAC-SHA256 of ``base`` keyed with ``partner_key`` as UTF-8 text, as lowercase hex."""
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def signature(
    *,
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """The ``sign`` value of one request (public or shop, as in :func:`base_string`)."""
    base = base_string(
        partner_id=partner_id,
        path=path,
        timestamp=timestamp,
        access_token=access_token,
        shop_id=shop_id,
    )
    return sign(partner_key, base)


def sign_matches(expected: str, given: str) -> bool:
    """Compare two signatures in constant time (a differing length is simply a mismatch)."""
    return hmac.compare_digest(expected.encode(), given.encode())


def signed_query(
    *,
    partner_id: int,
    partner_key: str,
    path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | None = None,
) -> dict[str, str]:
    """The common query parameters of one request, ``sign`` included.

    Public when ``access_token`` and ``shop_id`` are both None; shop API otherwise.
    """
    query = {"partner_id": str(partner_id), "timestamp": str(timestamp)}
    if access_token is not None or shop_id is not None:
        query["access_token"] = access_token or ""
        query["shop_id"] = "" if shop_id is None else str(shop_id)
    query["sign"] = signature(
        partner_key=partner_key,
        partner_id=partner_id,
        path=path,
        timestamp=timestamp,
        access_token=access_token,
        shop_id=shop_id,
    )
    return query


def push_signature(partner_key: str, url: str, raw_body: bytes) -> str:
    """The ``Authorization`` header of a push: lowercase hex HMAC-SHA256 keyed with the
    partner_key's text bytes over ``url + "|" + raw_body`` (the body's bytes exactly as sent).

    A receiver recomputes it over the URL Shopee was given and the raw request body (never a
    re-serialized JSON), and compares with :func:`sign_matches`.
    """
    base = url.encode() + b"|" + raw_body
    return hmac.new(partner_key.encode(), base, hashlib.sha256).hexdigest()
