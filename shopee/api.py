"""The Shopee v2 APIs this project calls, as plain descriptions of a request (no I/O)."""

from dataclasses import dataclass, field

GET_VOUCHER_LIST = "/api/v2/voucher/get_voucher_list"
GET_VOUCHER = "/api/v2/voucher/get_voucher"
END_VOUCHER = "/api/v2/voucher/end_voucher"
DELETE_VOUCHER = "/api/v2/voucher/delete_voucher"
UPDATE_VOUCHER = "/api/v2/voucher/update_voucher"
TOKEN_GET = "/api/v2/auth/token/get"  # noqa: S105 (a path, not a secret)
ACCESS_TOKEN_GET = "/api/v2/auth/access_token/get"  # noqa: S105
AUTH_PARTNER = "/api/v2/shop/auth_partner"
GET_SHOP_INFO = "/api/v2/shop/get_shop_info"
GET_SHOPS_BY_PARTNER = "/api/v2/public/get_shops_by_partner"
GET_LOST_PUSH_MESSAGE = "/api/v2/push/get_lost_push_message"
CONFIRM_CONSUMED_LOST_PUSH_MESSAGE = "/api/v2/push/confirm_consumed_lost_push_message"

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


def delete_voucher(*, voucher_id: int) -> ApiCall:
    """Delete an upcoming voucher (Shopee refuses one that has started)."""
    return ApiCall("POST", DELETE_VOUCHER, body={"voucher_id": voucher_id})


def update_voucher_end(*, voucher_id: int, end_time: int) -> ApiCall:
    """Set a voucher's end time (Unix seconds) at Shopee: it may only be brought forward, and
    must stay at least an hour after the start (shopee-api.md section 7)."""
    return ApiCall("POST", UPDATE_VOUCHER, body={"voucher_id": voucher_id, "end_time": end_time})


def token_get(
    *, code: str, partner_id: int, shop_id: int | None = None, main_account_id: int | None = None
) -> ApiCall:
    """Exchange an authorization code: for one shop, or for a main account and all its shops
    (Shopee takes exactly one of `shop_id` / `main_account_id`)."""
    if (shop_id is None) == (main_account_id is None):
        raise ValueError("token_get takes exactly one of shop_id and main_account_id")
    owner = {"shop_id": shop_id} if shop_id is not None else {"main_account_id": main_account_id}
    return ApiCall("POST", TOKEN_GET, body={"code": code, "partner_id": partner_id, **owner})


def access_token_get(*, refresh_token: str, partner_id: int, shop_id: int) -> ApiCall:
    return ApiCall(
        "POST",
        ACCESS_TOKEN_GET,
        body={"refresh_token": refresh_token, "partner_id": partner_id, "shop_id": shop_id},
    )


def get_shops_by_partner(*, page_no: int = 1, page_size: int = PAGE_SIZE_MAX) -> ApiCall:
    """Public API: the shops that have authorized our partner app, paged (page_size <= 100)."""
    return ApiCall("GET", GET_SHOPS_BY_PARTNER, query={"page_no": page_no, "page_size": page_size})


def get_lost_push_message() -> ApiCall:
    """Public API: the earliest 100 pushes of the last 3 days that we did not acknowledge."""
    return ApiCall("GET", GET_LOST_PUSH_MESSAGE)


def confirm_consumed_lost_push_message(*, last_message_id: int) -> ApiCall:
    return ApiCall(
        "POST", CONFIRM_CONSUMED_LOST_PUSH_MESSAGE, body={"last_message_id": last_message_id}
    )
