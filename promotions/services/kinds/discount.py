"""Discounts (Shopee module `discount`, shopee-promotions.md section 2).

The list filters with `discount_status` (upcoming/ongoing/expired/all) and answers each row's
`status` and `source` (0 others, 1 Shopee admin, 7 live stream: those two are Shopee's, refused
with `discount.error_update_admin_discount` / `..._streaming_discount`). `end_discount` ends an
ongoing discount, but only once an hour has passed since its start
(`discount.end_discount_time_error`); `delete_discount` deletes an upcoming one. Shopee's key and
message of "not ongoing" look swapped (section 10.1): the codes are what counts here.
"""

from django.utils.translation import gettext_lazy, gettext_noop

from core.parsing import NumberError, parse_int
from promotions.services.kinds.shared import PAGE_SIZE, PromotionRecordKind
from shopee import api
from vouchers.services.kinds.base import (
    DELETE,
    ONGOING,
    MalformedRecord,
    row_fields,
    text,
)

ADMIN, LIVE_STREAM = 1, 7
SHOPEE_SOURCES = (ADMIN, LIVE_STREAM)
MIN_RUN = 3600  # seconds a discount must have run before Shopee ends it

SKIP_SHOPEE_MANAGED = gettext_noop(
    "Managed by Shopee (created in Shopee's admin or by a live stream): Shopee does not allow "
    "ending or deleting this discount."
)
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and Shopee can only end ongoing discounts."
)
SKIP_STARTED_LESS_THAN_HOUR = gettext_noop(
    "Started less than an hour ago: Shopee ends a discount only once it has run for an hour."
)


class DiscountKind(PromotionRecordKind):
    name = "discount"
    label = gettext_lazy("discount")
    label_plural = gettext_lazy("discounts")
    id_field = "discount_id"
    list_key = "discount_list"
    already_ended_error = "discount.discount_not_ongoing"  # an end of one not ongoing
    managed_errors = (
        "discount.error_update_admin_discount",
        "discount.error_update_streaming_discount",
    )
    error_codes = (
        "discount.discount_not_ongoing",
        "discount.discount_is_ongoing",
        "discount.end_discount_time_error",
        "discount.discount_is_end",
        "discount.error_update_admin_discount",
        "discount.error_update_streaming_discount",
    )
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING

    def list_call(self, *, status, page_no):
        return api.get_discount_list(discount_status=status, page_no=page_no, page_size=PAGE_SIZE)

    def get_call(self, promotion_id):
        # The times are all a check needs: one item a page keeps the answer small.
        return api.get_discount(discount_id=promotion_id, page_no=1, page_size=1)

    def end_call(self, promotion_id):
        return api.end_discount(discount_id=promotion_id)

    def delete_call(self, promotion_id):
        return api.delete_discount(discount_id=promotion_id)

    def record_fields(self, row):
        discount_id, start, end = row_fields(row, id_field=self.id_field, what="discount")
        try:
            source = parse_int(row.get("source", 0), label="source")
        except NumberError as error:
            raise MalformedRecord(f"discount {discount_id}: {error}") from None
        return {
            "promotion_id": discount_id,
            "name": text(row.get("discount_name")),
            "start_time": start,
            "end_time": end,
            "shopee_status": text(row.get("status"), 32),
            "shopee_managed": source in SHOPEE_SOURCES,
            "details": {"source": source},
        }

    def skip_reason(self, fields, *, action, now):
        reason = super().skip_reason(fields, action=action, now=now)
        if reason or action == DELETE or self.live_status(fields, now) != ONGOING:
            return reason
        if (now - fields["start_time"]).total_seconds() < MIN_RUN:
            return SKIP_STARTED_LESS_THAN_HOUR
        return ""


DISCOUNT = DiscountKind()
