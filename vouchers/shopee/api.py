"""The Shopee v2 APIs this project calls, as plain descriptions of a request (no I/O)."""

from dataclasses import dataclass, field

GET_VOUCHER_LIST = "/api/v2/voucher/get_voucher_list"
GET_VOUCHER = "/api/v2/voucher/get_voucher"
END_VOUCHER = "/api/v2/voucher/end_voucher"
TOKEN_GET = "/api/v2/auth/token/get"  # noqa: S105 (a path, not a secret)
ACCESS_TOKEN_GET = "/api/v2/auth/access_token/get"  # noqa: S105
AUTH_PARTNER = "/api/v2/shop/auth_partner"
GET_SHOP_INFO = "/api/v2/shop/get_shop_info"

PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class ApiCall:
    """One API request: GET business parameters go in `query`, POST ones in the JSON `body`."""

    method: str
    path: str
    query: dict = field(default_factory=dict)
    body: dict | None = None


def get_voucher_list(*, status: str, page_no: int = 1, page_size: int = PAGE_SIZE_MAX) -> ApiCall:
    return ApiCall(
        "GET",
        GET_VOUCHER_LIST,
        query={"status": status, "page_no": page_no, "page_size": page_size},
    )


def get_voucher(*, voucher_id: int) -> ApiCall:
    return ApiCall("GET", GET_VOUCHER, query={"voucher_id": voucher_id})


def get_shop_info() -> ApiCall:
    """Shop name, region, status and the seller's authorization period (top-level fields)."""
    return ApiCall("GET", GET_SHOP_INFO)


def end_voucher(*, voucher_id: int) -> ApiCall:
    return ApiCall("POST", END_VOUCHER, body={"voucher_id": voucher_id})


def token_get(*, code: str, partner_id: int, shop_id: int) -> ApiCall:
    return ApiCall(
        "POST", TOKEN_GET, body={"code": code, "partner_id": partner_id, "shop_id": shop_id}
    )


def access_token_get(*, refresh_token: str, partner_id: int, shop_id: int) -> ApiCall:
    return ApiCall(
        "POST",
        ACCESS_TOKEN_GET,
        body={"refresh_token": refresh_token, "partner_id": partner_id, "shop_id": shop_id},
    )
