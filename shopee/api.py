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


# -- Promotion kinds beside vouchers (shopee-promotions.md sections 2-6) ---------------------
# Each module names its id and its list's status filter differently (section 8.1).
GET_DISCOUNT_LIST = "/api/v2/discount/get_discount_list"
GET_DISCOUNT = "/api/v2/discount/get_discount"
END_DISCOUNT = "/api/v2/discount/end_discount"
DELETE_DISCOUNT = "/api/v2/discount/delete_discount"
GET_BUNDLE_DEAL_LIST = "/api/v2/bundle_deal/get_bundle_deal_list"
GET_BUNDLE_DEAL = "/api/v2/bundle_deal/get_bundle_deal"
END_BUNDLE_DEAL = "/api/v2/bundle_deal/end_bundle_deal"
DELETE_BUNDLE_DEAL = "/api/v2/bundle_deal/delete_bundle_deal"
GET_ADD_ON_DEAL_LIST = "/api/v2/add_on_deal/get_add_on_deal_list"
GET_ADD_ON_DEAL = "/api/v2/add_on_deal/get_add_on_deal"
END_ADD_ON_DEAL = "/api/v2/add_on_deal/end_add_on_deal"
DELETE_ADD_ON_DEAL = "/api/v2/add_on_deal/delete_add_on_deal"
GET_FOLLOW_PRIZE_LIST = "/api/v2/follow_prize/get_follow_prize_list"
GET_FOLLOW_PRIZE_DETAIL = "/api/v2/follow_prize/get_follow_prize_detail"
END_FOLLOW_PRIZE = "/api/v2/follow_prize/end_follow_prize"
DELETE_FOLLOW_PRIZE = "/api/v2/follow_prize/delete_follow_prize"
GET_SHOP_FLASH_SALE_LIST = "/api/v2/shop_flash_sale/get_shop_flash_sale_list"
GET_SHOP_FLASH_SALE = "/api/v2/shop_flash_sale/get_shop_flash_sale"
UPDATE_SHOP_FLASH_SALE = "/api/v2/shop_flash_sale/update_shop_flash_sale"
DELETE_SHOP_FLASH_SALE = "/api/v2/shop_flash_sale/delete_shop_flash_sale"

# Shop flash sale: update_shop_flash_sale's `status` (1 enable, 2 disable; section 6.3).
FLASH_SALE_ENABLE, FLASH_SALE_DISABLE = 1, 2


def get_discount_list(
    *, discount_status: str, page_no: int = 1, page_size: int = PAGE_SIZE_MAX
) -> ApiCall:
    """`discount_status`: upcoming, ongoing, expired or all; page_size <= 100 (all required)."""
    return ApiCall(
        "GET",
        GET_DISCOUNT_LIST,
        query={"discount_status": discount_status, "page_no": page_no, "page_size": page_size},
    )


def get_discount(*, discount_id: int, page_no: int = 1, page_size: int = PAGE_SIZE_MAX) -> ApiCall:
    """One discount and a page of its items (page_no and page_size are required)."""
    return ApiCall(
        "GET",
        GET_DISCOUNT,
        query={"discount_id": discount_id, "page_no": page_no, "page_size": page_size},
    )


def end_discount(*, discount_id: int) -> ApiCall:
    """End an ongoing discount (only once an hour has passed since its start)."""
    return ApiCall("POST", END_DISCOUNT, body={"discount_id": discount_id})


def delete_discount(*, discount_id: int) -> ApiCall:
    """Delete an upcoming discount."""
    return ApiCall("POST", DELETE_DISCOUNT, body={"discount_id": discount_id})


def get_bundle_deal_list(
    *, time_status: int, page_no: int = 1, page_size: int = PAGE_SIZE_MAX
) -> ApiCall:
    """`time_status` is an integer: 1 all, 2 upcoming, 3 ongoing, 4 expired; page_size <= 1000."""
    return ApiCall(
        "GET",
        GET_BUNDLE_DEAL_LIST,
        query={"time_status": time_status, "page_no": page_no, "page_size": page_size},
    )


def get_bundle_deal(*, bundle_deal_id: int) -> ApiCall:
    return ApiCall("GET", GET_BUNDLE_DEAL, query={"bundle_deal_id": bundle_deal_id})


def end_bundle_deal(*, bundle_deal_id: int) -> ApiCall:
    return ApiCall("POST", END_BUNDLE_DEAL, body={"bundle_deal_id": bundle_deal_id})


def delete_bundle_deal(*, bundle_deal_id: int) -> ApiCall:
    return ApiCall("POST", DELETE_BUNDLE_DEAL, body={"bundle_deal_id": bundle_deal_id})


def get_add_on_deal_list(
    *, promotion_status: str, page_no: int = 1, page_size: int = PAGE_SIZE_MAX
) -> ApiCall:
    """`promotion_status`: all, upcoming, ongoing or expired; page_no 1..1000, page_size 1..100."""
    return ApiCall(
        "GET",
        GET_ADD_ON_DEAL_LIST,
        query={"promotion_status": promotion_status, "page_no": page_no, "page_size": page_size},
    )


def get_add_on_deal(*, add_on_deal_id: int) -> ApiCall:
    return ApiCall("GET", GET_ADD_ON_DEAL, query={"add_on_deal_id": add_on_deal_id})


def end_add_on_deal(*, add_on_deal_id: int) -> ApiCall:
    return ApiCall("POST", END_ADD_ON_DEAL, body={"add_on_deal_id": add_on_deal_id})


def delete_add_on_deal(*, add_on_deal_id: int) -> ApiCall:
    return ApiCall("POST", DELETE_ADD_ON_DEAL, body={"add_on_deal_id": add_on_deal_id})


def get_follow_prize_list(
    *, status: str, page_no: int = 1, page_size: int = PAGE_SIZE_MAX
) -> ApiCall:
    """`status`: upcoming, ongoing, expired or all; page_no 1..5000, page_size 1..100."""
    return ApiCall(
        "GET",
        GET_FOLLOW_PRIZE_LIST,
        query={"status": status, "page_no": page_no, "page_size": page_size},
    )


def get_follow_prize_detail(*, campaign_id: int) -> ApiCall:
    return ApiCall("GET", GET_FOLLOW_PRIZE_DETAIL, query={"campaign_id": campaign_id})


def end_follow_prize(*, campaign_id: int) -> ApiCall:
    return ApiCall("POST", END_FOLLOW_PRIZE, body={"campaign_id": campaign_id})


def delete_follow_prize(*, campaign_id: int) -> ApiCall:
    return ApiCall("POST", DELETE_FOLLOW_PRIZE, body={"campaign_id": campaign_id})


def get_shop_flash_sale_list(*, type: int, offset: int = 0, limit: int = PAGE_SIZE_MAX) -> ApiCall:
    """`type` is an integer: 0 all, 1 upcoming, 2 ongoing, 3 expired; offset 0..1000, limit
    1..100 (all required); answered with `total_count`, not `more`."""
    return ApiCall(
        "GET",
        GET_SHOP_FLASH_SALE_LIST,
        query={"type": type, "offset": offset, "limit": limit},
    )


def get_shop_flash_sale(*, flash_sale_id: int) -> ApiCall:
    return ApiCall("GET", GET_SHOP_FLASH_SALE, query={"flash_sale_id": flash_sale_id})


def update_shop_flash_sale(*, flash_sale_id: int, status: int) -> ApiCall:
    """Switch a shop flash sale on (`status` 1) or off (2): the module has no end call."""
    return ApiCall(
        "POST", UPDATE_SHOP_FLASH_SALE, body={"flash_sale_id": flash_sale_id, "status": status}
    )


def delete_shop_flash_sale(*, flash_sale_id: int) -> ApiCall:
    """Delete an upcoming shop flash sale (it stays listed with status 0, deleted)."""
    return ApiCall("POST", DELETE_SHOP_FLASH_SALE, body={"flash_sale_id": flash_sale_id})
