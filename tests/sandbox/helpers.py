"""Shared pieces of the sandbox's tests: the `world` document, a signing caller, assertions."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.signing import signed_query
from sandbox.testing import SandboxControl

PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key"
OTHER_PARTNER_ID = 3001000
OTHER_PARTNER_KEY = "other_partner_key"
SHOP_ID = 14701711
TOKEN = "59777174636562737266615546704c6d"
REFRESH = "a" * 32
SHOP2_ID = 14701712
TOKEN2 = "b" * 32
OTHER_SHOP_ID = 555
OTHER_TOKEN = "c" * 32

# Voucher ids of `world`, by what they are.
ONGOING, UPCOMING, EXPIRED = 1, 2, 3
ADMIN, SHOP_GAME, MEMBERSHIP, SHOP_FOLLOW = 4, 5, 6, 7
BIG_ID = 2**40 + 7  # beyond 32 bits
SHOP2_VOUCHER = 8
UPCOMING_ADMIN = 9
END_VOUCHER = "/api/v2/voucher/end_voucher"
GET_VOUCHER = "/api/v2/voucher/get_voucher"
LIST = "/api/v2/voucher/get_voucher_list"
DELETE = "/api/v2/voucher/delete_voucher"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH_GET = "/api/v2/auth/access_token/get"
SHOP_INFO = "/api/v2/shop/get_shop_info"

# Main accounts (main_account_document): MAIN_ACCOUNT_ID holds shops GROUP_A and GROUP_B and
# merchants MERCHANT_A and MERCHANT_B; OTHER_MAIN_ACCOUNT_ID is the other partner's.
MAIN_ACCOUNT_ID = 880001
OTHER_MAIN_ACCOUNT_ID = 880002
GROUP_A, GROUP_B = 14701721, 14701722
GROUP_A_TOKEN, GROUP_B_TOKEN = "1" * 32, "2" * 32
MERCHANT_A, MERCHANT_B = 9100001, 9100002


def world_document(now: int) -> dict[str, Any]:
    """Two partners, three shops, one voucher of each kind the rules care about."""

    def voucher(voucher_id: int, start: int, end: int, shop_id: int = SHOP_ID, **extra: Any):
        return {
            "shop_id": shop_id,
            "voucher_id": voucher_id,
            "start_time": now + start,
            "end_time": now + end,
        } | extra

    return {
        "partners": [
            {"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY},
            {"partner_id": OTHER_PARTNER_ID, "partner_key": OTHER_PARTNER_KEY},
        ],
        "shops": [
            {
                "shop_id": SHOP_ID,
                "partner_id": PARTNER_ID,
                "name": "Main",
                "region": "SG",
                "access_token": TOKEN,
                "refresh_token": REFRESH,
            },
            {
                "shop_id": SHOP2_ID,
                "partner_id": PARTNER_ID,
                "name": "Second",
                "region": "MY",
                "access_token": TOKEN2,
                "refresh_token": "d" * 32,
            },
            {
                "shop_id": OTHER_SHOP_ID,
                "partner_id": OTHER_PARTNER_ID,
                "name": "Theirs",
                "access_token": OTHER_TOKEN,
            },
        ],
        "vouchers": [
            voucher(ONGOING, -3600, 3600),
            voucher(UPCOMING, 600, 3600),
            voucher(EXPIRED, -7200, -3600),
            voucher(ADMIN, -3600, 3600, is_admin=True),
            voucher(SHOP_GAME, -3600, 3600, voucher_purpose=4),
            voucher(MEMBERSHIP, -3600, 3600, voucher_purpose=6),
            voucher(SHOP_FOLLOW, -3600, 3600, voucher_purpose=3),
            voucher(BIG_ID, -3600, 3600),
            voucher(SHOP2_VOUCHER, -3600, 3600, shop_id=SHOP2_ID),
            voucher(UPCOMING_ADMIN, 600, 3600, is_admin=True),
        ],
    }


def main_account_document(now: int) -> dict[str, Any]:
    """`world` plus a main account of two shops and two merchants, and one of the other partner."""
    doc = world_document(now)
    doc["shops"] += [
        {
            "shop_id": GROUP_B,
            "partner_id": PARTNER_ID,
            "name": "Group B",
            "region": "TH",
            "access_token": GROUP_B_TOKEN,
            "merchant_id": MERCHANT_B,
        },
        {
            "shop_id": GROUP_A,
            "partner_id": PARTNER_ID,
            "name": "Group A",
            "region": "VN",
            "access_token": GROUP_A_TOKEN,
            "merchant_id": MERCHANT_A,
        },
    ]
    doc["vouchers"].append(
        {"shop_id": GROUP_A, "voucher_id": 70, "start_time": now - 60, "end_time": now + 3600}
    )
    doc["main_accounts"] = [
        {
            "main_account_id": MAIN_ACCOUNT_ID,
            "partner_id": PARTNER_ID,
            "name": "Acme Group",
            "shop_ids": [GROUP_B, GROUP_A],
            "merchant_ids": [MERCHANT_B, MERCHANT_A],
        },
        {
            "main_account_id": OTHER_MAIN_ACCOUNT_ID,
            "partner_id": OTHER_PARTNER_ID,
            "shop_ids": [OTHER_SHOP_ID],
        },
    ]
    return doc


class Shopee:
    """Signs and sends Shopee-side requests to the sandbox, timestamped by its clock."""

    def __init__(self, base_url: str, control: SandboxControl) -> None:
        self.base_url = base_url
        self.control = control

    def _send(self, method, path, query, *, params, body, data, timeout) -> requests.Response:
        return requests.request(
            method,
            self.base_url + path,
            params=query | (params or {}),
            json=body,
            data=data,
            timeout=timeout,
            allow_redirects=False,
        )

    def public(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict | None = None,
        partner_id: int = PARTNER_ID,
        partner_key: str = PARTNER_KEY,
        timestamp: int | None = None,
        data: bytes | None = None,
        timeout: float = 5,
    ) -> requests.Response:
        """A public API call (partner signature)."""
        ts = self.control.now() if timestamp is None else timestamp
        query = signed_query(
            partner_id=partner_id, partner_key=partner_key, path=path, timestamp=ts
        )
        return self._send(method, path, query, params=params, body=body, data=data, timeout=timeout)

    def shop(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict | None = None,
        shop_id: int = SHOP_ID,
        access_token: str = TOKEN,
        partner_id: int = PARTNER_ID,
        partner_key: str = PARTNER_KEY,
        timestamp: int | None = None,
        data: bytes | None = None,
        timeout: float = 5,
    ) -> requests.Response:
        """A shop API call (shop signature)."""
        ts = self.control.now() if timestamp is None else timestamp
        query = signed_query(
            partner_id=partner_id,
            partner_key=partner_key,
            path=path,
            timestamp=ts,
            access_token=access_token,
            shop_id=shop_id,
        )
        return self._send(method, path, query, params=params, body=body, data=data, timeout=timeout)

    def end(self, voucher_id: int, **kwargs: Any) -> dict[str, Any]:
        return self.shop("POST", END_VOUCHER, body={"voucher_id": voucher_id}, **kwargs).json()

    def get(self, voucher_id: int, **kwargs: Any) -> dict[str, Any]:
        return self.shop("GET", GET_VOUCHER, params={"voucher_id": voucher_id}, **kwargs).json()

    def refresh(self, refresh_token: str, shop_id: int = SHOP_ID) -> dict[str, Any]:
        body = {"refresh_token": refresh_token, "partner_id": PARTNER_ID, "shop_id": shop_id}
        return self.public("POST", REFRESH_GET, body=body).json()

    def refresh_merchant(self, refresh_token: str, merchant_id: int) -> dict[str, Any]:
        body = {
            "refresh_token": refresh_token,
            "partner_id": PARTNER_ID,
            "merchant_id": merchant_id,
        }
        return self.public("POST", REFRESH_GET, body=body).json()

    def exchange(self, code: str, **owner: int) -> dict[str, Any]:
        """token/get for ``shop_id=`` or ``main_account_id=``."""
        body = {"code": code, "partner_id": PARTNER_ID} | owner
        return self.public("POST", TOKEN_GET, body=body).json()

    def shop_info(self, shop_id: int = SHOP_ID, access_token: str = TOKEN) -> dict[str, Any]:
        return self.shop("GET", SHOP_INFO, shop_id=shop_id, access_token=access_token).json()


def assert_error(response: requests.Response, error: str, message: str, status: int = 200):
    """The answer is Shopee's envelope with that error, message and a fresh request_id."""
    payload = response.json()
    assert response.status_code == status, payload
    assert (payload["error"], payload["message"]) == (error, message), payload
    assert_request_id(payload)
    return payload


def assert_request_id(payload: dict[str, Any]) -> None:
    request_id = payload["request_id"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
