"""Bundle deals (Shopee module `bundle_deal`, shopee-promotions.md section 3).

The list filters with the integer `time_status` (1 all, 2 upcoming, 3 ongoing, 4 expired) and
its rows carry no status and no source: whether Shopee created a deal shows only when a write is
refused with `bundle.bundle_deal_no_auth_update` (then the record keeps `shopee_managed`, since
no later read can say so). `end_bundle_deal` ends an ongoing deal, `delete_bundle_deal` deletes an
upcoming one; an unknown id is `bundle.bundle_deal_not_exists`.
"""

from django.utils.translation import gettext_lazy, gettext_noop

from promotions.services.kinds.shared import PAGE_SIZE, PromotionRecordKind, plain
from shopee import api
from vouchers.services.kinds.base import row_fields, text

TIME_STATUS = {"all": 1, "upcoming": 2, "ongoing": 3, "expired": 4}

SKIP_SHOPEE_MANAGED = gettext_noop(
    "Managed by Shopee (created by Shopee): Shopee does not allow ending or deleting this "
    "bundle deal."
)
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and Shopee can only end ongoing bundle deals."
)


class BundleDealKind(PromotionRecordKind):
    name = "bundle_deal"
    label = gettext_lazy("bundle deal")
    label_plural = gettext_lazy("bundle deals")
    id_field = "bundle_deal_id"
    list_key = "bundle_deal_list"
    list_shows_managed = False
    already_ended_error = "bundle.bundle_deal_stop_failed"  # only an ongoing one can be ended
    not_found_error = "bundle.bundle_deal_not_exists"
    managed_errors = ("bundle.bundle_deal_no_auth_update",)
    error_codes = (
        "bundle.bundle_deal_stop_failed",
        "bundle.bundle_deal_delete_failed",
        "bundle.bundle_deal_no_auth_update",
        "bundle.bundle_deal_not_exists",
        "bundle.bundle_deal_error_unknown",
    )
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING

    def list_call(self, *, status, page_no):
        return api.get_bundle_deal_list(
            time_status=TIME_STATUS[status], page_no=page_no, page_size=PAGE_SIZE
        )

    def get_call(self, promotion_id):
        return api.get_bundle_deal(bundle_deal_id=promotion_id)

    def end_call(self, promotion_id):
        return api.end_bundle_deal(bundle_deal_id=promotion_id)

    def delete_call(self, promotion_id):
        return api.delete_bundle_deal(bundle_deal_id=promotion_id)

    def record_fields(self, row):
        bundle_deal_id, start, end = row_fields(row, id_field=self.id_field, what="bundle deal")
        rule = row.get("bundle_deal_rule")
        rule = rule if isinstance(rule, dict) else {}
        return {
            "promotion_id": bundle_deal_id,
            "name": text(row.get("name")),
            "start_time": start,
            "end_time": end,
            "shopee_status": "",
            "shopee_managed": False,
            "details": {
                "rule_type": plain(rule.get("rule_type")),
                "purchase_limit": plain(row.get("purchase_limit")),
            },
        }


BUNDLE_DEAL = BundleDealKind()
