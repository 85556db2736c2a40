"""Playing the seller in tests: clicking "Authorize" on Shopee's page without parsing its HTML.

:func:`authorize_shop` and :func:`authorize_main_account` sign the authorization link with the
sandbox's own clock (so they work after ``advance_clock``), submit the button's request
(``GET /api/v2/shop/auth_partner/authorize``) and return what the 302 to ``redirect`` carries.
Re-exported by :mod:`sandbox.testing`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from sandbox.auth_page import AUTH_PARTNER_PATH, AUTHORIZE_PATH
from sandbox.signing import signed_query


class SandboxControlError(RuntimeError):
    """The sandbox refused a control call or a seller's click (no 302); ``status`` and
    ``payload`` are its answer. Also exported by :mod:`sandbox.testing`."""

    def __init__(self, status: int, payload: Any) -> None:
        super().__init__(f"sandbox control call failed with HTTP {status}: {payload}")
        self.status = status
        self.payload = payload


def _authorize(
    base_url: str,
    *,
    partner_id: int,
    partner_key: str,
    owner: dict[str, int],
    redirect: str,
    timeout: float,
) -> tuple[str, dict[str, str]]:
    """Click "Authorize" for ``owner`` (shop_id or main_account_id): (location, its query)."""
    now = requests.get(f"{base_url}/_sandbox/clock", timeout=timeout).json()["now"]
    query = signed_query(
        partner_id=partner_id, partner_key=partner_key, path=AUTH_PARTNER_PATH, timestamp=now
    )
    response = requests.get(
        base_url + AUTHORIZE_PATH,
        params=query | {"redirect": redirect} | owner,
        allow_redirects=False,
        timeout=timeout,
    )
    if response.status_code != 302:
        raise SandboxControlError(response.status_code, response.text)
    location = response.headers["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize_shop(
    base_url: str,
    *,
    partner_id: int,
    partner_key: str,
    shop_id: int,
    redirect: str = "http://app.invalid/callback",
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Play the seller: authorize ``shop_id`` for the partner without parsing the HTML page.

    Returns ``{"code", "shop_id", "location"}`` from the sandbox's 302 to ``redirect``. The
    link is signed with the sandbox's own clock, so it works after ``advance_clock`` too.
    """
    location, params = _authorize(
        base_url,
        partner_id=partner_id,
        partner_key=partner_key,
        owner={"shop_id": shop_id},
        redirect=redirect,
        timeout=timeout,
    )
    return {"code": params["code"], "shop_id": int(params["shop_id"]), "location": location}


def authorize_main_account(
    base_url: str,
    *,
    partner_id: int,
    partner_key: str,
    main_account_id: int,
    redirect: str = "http://app.invalid/callback",
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Play the seller logging in with a main account: like :func:`authorize_shop`.

    Returns ``{"code", "main_account_id", "location"}``; exchange the code with ``token/get``
    and ``main_account_id``.
    """
    location, params = _authorize(
        base_url,
        partner_id=partner_id,
        partner_key=partner_key,
        owner={"main_account_id": main_account_id},
        redirect=redirect,
        timeout=timeout,
    )
    return {
        "code": params["code"],
        "main_account_id": int(params["main_account_id"]),
        "location": location,
    }
