"""Add-on deals (Shopee module `add_on_deal`, shopee-promotions.md section 4).

The list filters with `promotion_status` (all/upcoming/ongoing/expired); rows carry no status
but a `source`: **1 seller, 0 Shopee admin** (the opposite of a discount's). Shopee's deals are
refused with `add_on.add_on_deal_error_unknown` ("created by admin can't be edited", under that
key). `end_add_on_deal` ends an ongoing deal, `delete_add_on_deal` deletes an upcoming one.
"""

from django.utils.translation import gettext_lazy, gettext_noop

from core.parsing import NumberError, parse_int
from promotions.services.kinds.shared import PAGE_SIZE, PromotionRecordKind, plain
from shopee import api
from vouchers.services.kinds.base import MalformedRecord, row_fields, text

SELLER, SHOPEE_ADMIN = 1, 0

SKIP_SHOPEE_MANAGED = gettext_noop(
    "Managed by Shopee (created in Shopee's admin): Shopee does not allow ending or deleting "
    "this add-on deal."
)
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and Shopee can only end ongoing add-on deals."
)


class AddOnDealKind(PromotionRecordKind):
    name = "add_on_deal"
    label = gettext_lazy("add-on deal")
    label_plural = gettext_lazy("add-on deals")
    id_field = "add_on_deal_id"
    list_key = "add_on_deal_list"
    max_pages = 1000  # page_no 1..1000
    already_ended_error = "add_on.add_on_end_error"  # only an ongoing one can be ended
    not_found_error = "add_on.add_on_deal_not_exists"
    managed_errors = ("add_on.add_on_deal_error_unknown",)
    error_codes = (
        "add_on.add_on_end_error",
        "add_on.add_on_delete_error",
        "add_on.add_on_deal_error_unknown",
        "add_on.add_on_deal_not_exists",
    )
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING

    def list_call(self, *, status, page_no):
        return api.get_add_on_deal_list(
            promotion_status=status, page_no=page_no, page_size=PAGE_SIZE
        )

    def get_call(self, promotion_id):
        return api.get_add_on_deal(add_on_deal_id=promotion_id)

    def end_call(self, promotion_id):
        return api.end_add_on_deal(add_on_deal_id=promotion_id)

    def delete_call(self, promotion_id):
        return api.delete_add_on_deal(add_on_deal_id=promotion_id)

    def record_fields(self, row):
        add_on_deal_id, start, end = row_fields(row, id_field=self.id_field, what="add-on deal")
        try:
            source = parse_int(row.get("source", SELLER), label="source")
        except NumberError as error:
            raise MalformedRecord(f"add-on deal {add_on_deal_id}: {error}") from None
        return {
            "promotion_id": add_on_deal_id,
            "name": text(row.get("add_on_deal_name")),
            "start_time": start,
            "end_time": end,
            "shopee_status": "",
            "shopee_managed": source == SHOPEE_ADMIN,
            "details": {"source": source, "promotion_type": plain(row.get("promotion_type"))},
        }


ADD_ON_DEAL = AddOnDealKind()
