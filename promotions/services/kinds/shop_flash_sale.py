"""Shop flash sales (Shopee module `shop_flash_sale`, shopee-promotions.md section 6).

**No end call**: an ongoing sale is switched off with `update_shop_flash_sale` `status` 2
(disable), an upcoming one deleted with `delete_shop_flash_sale`. Two separate states: `status`
(0 deleted, 1 enabled, 2 disabled, 3 system_rejected, which the seller cannot edit: the kind's
"Shopee-managed") and `type` (1 upcoming, 2 ongoing, 3 expired, by the slot's times). Only an
enabled sale is live: a deleted one stays listed with status 0.

The list filters with the integer `type` (0 all, 1 upcoming, 2 ongoing, 3 expired) and pages
with `offset` (0..1000) and `limit` (1..100), answering `total_count`, not `more`: page_no is
mapped to an offset so that paging stays page_no based, and `more` is computed. Shopee's schema
puts `flash_sale_list` beside `response`, its sample inside: both are read. A sale has no name:
"Flash sale <timeslot_id>".
"""

from django.utils.translation import gettext_lazy, gettext_noop

from core.parsing import NumberError, parse_int
from promotions.services.kinds.shared import PAGE_SIZE, PromotionRecordKind, plain
from shopee import api
from vouchers.services.kinds.base import (
    APPLIED,
    DELETE,
    EXPIRED,
    NOT_APPLIED,
    STARTED,
    UNREADABLE,
    UPCOMING,
    MalformedRecord,
    record_times,
    row_fields,
    time_status,
)

TYPE = {"all": 0, "upcoming": 1, "ongoing": 2, "expired": 3}
MAX_OFFSET = 1000
DELETED, ENABLED, DISABLED, SYSTEM_REJECTED = 0, 1, 2, 3
STATUS_WORDS = {
    DELETED: "deleted",
    ENABLED: "enabled",
    DISABLED: "disabled",
    SYSTEM_REJECTED: "system_rejected",
}

SKIP_SHOPEE_MANAGED = gettext_noop(
    "Rejected by Shopee (system_rejected): Shopee does not allow editing or deleting this shop "
    "flash sale."
)
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and only an ongoing shop flash sale is switched off."
)
SKIP_SWITCHED_OFF = gettext_noop("Already switched off at Shopee (disabled).")
SKIP_DELETED = gettext_noop("Already deleted at Shopee.")


class ShopFlashSaleKind(PromotionRecordKind):
    name = "shop_flash_sale"
    label = gettext_lazy("shop flash sale")
    label_plural = gettext_lazy("shop flash sales")
    id_field = "flash_sale_id"
    list_key = "flash_sale_list"
    end_action = "disable"
    not_found_error = "shop_flash_sale_not_exist"
    error_codes = (
        "shop_flash_sale_not_exist",
        "shop_flash_sale_param_error",
        "marketing_error_no_premission",
    )
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING

    def list_call(self, *, status, page_no):
        return api.get_shop_flash_sale_list(
            type=TYPE[status], offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )

    def list_page(self, response, *, page_no=1, body=None):
        payload = response if isinstance(response, dict) else {}
        outer = body if isinstance(body, dict) else {}
        rows = payload.get(self.list_key, outer.get(self.list_key))
        rows = [] if rows is None else rows
        total = payload.get("total_count", outer.get("total_count"))
        offset = (page_no - 1) * PAGE_SIZE
        if not isinstance(rows, list):
            return rows, False
        try:
            more = offset + len(rows) < parse_int(total, label="total_count")
        except NumberError:
            more = len(rows) == PAGE_SIZE  # no count: a full page may have a next one
        return rows, more and bool(rows) and offset + PAGE_SIZE <= MAX_OFFSET

    def get_call(self, promotion_id):
        return api.get_shop_flash_sale(flash_sale_id=promotion_id)

    def end_call(self, promotion_id):
        return api.update_shop_flash_sale(flash_sale_id=promotion_id, status=api.FLASH_SALE_DISABLE)

    def delete_call(self, promotion_id):
        return api.delete_shop_flash_sale(flash_sale_id=promotion_id)

    def record_fields(self, row):
        flash_sale_id, start, end = row_fields(row, id_field=self.id_field, what="shop flash sale")
        try:
            status = _status(row)
            timeslot = parse_int(row.get("timeslot_id", 0), label="timeslot_id")
        except NumberError as error:
            raise MalformedRecord(f"shop flash sale {flash_sale_id}: {error}") from None
        return {
            "promotion_id": flash_sale_id,
            "name": f"Flash sale {timeslot}",
            "start_time": start,
            "end_time": end,
            "shopee_status": STATUS_WORDS[status],
            "shopee_managed": status == SYSTEM_REJECTED,
            "details": {
                "status": status,
                "timeslot_id": timeslot,
                "type": plain(row.get("type")),
                "item_count": plain(row.get("item_count")),
                "enabled_item_count": plain(row.get("enabled_item_count")),
            },
        }

    def live_status(self, fields, now):
        if fields["details"].get("status") != ENABLED:
            return "expired"  # switched off, deleted or rejected: not live
        return super().live_status(fields, now)

    def listed_status(self, fields, list_status):
        """A sale listed but not enabled is not live: its status word (deleted, disabled,
        system_rejected) instead of the list's."""
        if fields["details"].get("status") != ENABLED:
            return fields["shopee_status"]
        return list_status

    def skip_reason(self, fields, *, action, now):
        status = fields["details"].get("status")
        if fields.get("shopee_managed"):
            return self.skip_shopee_managed
        if status == DELETED:
            return SKIP_DELETED
        if status == DISABLED:
            # Switched off already; one still upcoming may yet be deleted.
            upcoming = time_status(fields["start_time"], fields["end_time"], now) == UPCOMING
            if not (action == DELETE and upcoming):
                return SKIP_SWITCHED_OFF
            return ""
        return super().skip_reason(fields, action=action, now=now)

    def lost_write_verdict(self, *, action, record, original_end, target_end, now):
        """A sale switched off (or deleted) stays known to `get_shop_flash_sale`: its status
        says whether the lost write was applied (APPLIED's time: now, when it was found)."""
        times = record_times(record)
        try:
            status = _status(record)
        except (NumberError, AttributeError):
            return UNREADABLE, None
        if times is None:
            return UNREADABLE, None
        start, end = times
        done = DELETED if action == DELETE else DISABLED
        if status == done or status == DELETED:
            return APPLIED, now
        if end <= now:
            return EXPIRED, None
        if action == DELETE and start <= now:
            return STARTED, None
        return NOT_APPLIED, None


def _status(row) -> int:
    status = parse_int(row.get("status"), label="status")
    if status not in STATUS_WORDS:
        raise NumberError(f"status must be 0, 1, 2 or 3, got {status}.")
    return status


SHOP_FLASH_SALE = ShopFlashSaleKind()
