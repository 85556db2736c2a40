"""Follow prizes (Shopee module `follow_prize`, shopee-promotions.md section 5).

The list filters with `status` (upcoming/ongoing/expired/all) and answers `campaign_status`;
the id is `campaign_id` (some answers spell it `campagin_id`: nothing here reads a write's
answer). Shopee documents no follow prize created by Shopee and no refusal for one.
`end_follow_prize` ends an ongoing one (`follow_prize.end_type` else), `delete_follow_prize`
deletes an upcoming one (`follow_prize.delete_type`); an unknown id is
`follow_prize.campaign_none`. Its errors carry `"response": ""`.
"""

from django.utils.translation import gettext_lazy, gettext_noop

from promotions.services.kinds.shared import PAGE_SIZE, PromotionRecordKind, plain
from shopee import api
from vouchers.services.kinds.base import row_fields, text

SKIP_SHOPEE_MANAGED = gettext_noop(
    "Managed by Shopee: Shopee does not allow ending or deleting this follow prize."
)
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and Shopee can only end ongoing follow prizes."
)


class FollowPrizeKind(PromotionRecordKind):
    name = "follow_prize"
    label = gettext_lazy("follow prize")
    label_plural = gettext_lazy("follow prizes")
    id_field = "campaign_id"
    list_key = "follow_prize_list"
    already_ended_error = "follow_prize.end_type"  # only an ongoing one can be ended
    not_found_error = "follow_prize.campaign_none"
    error_codes = (
        "follow_prize.end_type",
        "follow_prize.delete_type",
        "follow_prize.campaign_none",
        "common.error_param",
    )
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING

    def list_call(self, *, status, page_no):
        return api.get_follow_prize_list(status=status, page_no=page_no, page_size=PAGE_SIZE)

    def get_call(self, promotion_id):
        return api.get_follow_prize_detail(campaign_id=promotion_id)

    def end_call(self, promotion_id):
        return api.end_follow_prize(campaign_id=promotion_id)

    def delete_call(self, promotion_id):
        return api.delete_follow_prize(campaign_id=promotion_id)

    def record_fields(self, row):
        campaign_id, start, end = row_fields(row, id_field=self.id_field, what="follow prize")
        return {
            "promotion_id": campaign_id,
            "name": text(row.get("follow_prize_name")),
            "start_time": start,
            "end_time": end,
            "shopee_status": text(row.get("campaign_status"), 32),
            "shopee_managed": False,
            "details": {
                "usage_quantity": plain(row.get("usage_quantity")),
                "claimed": plain(row.get("claimed")),
            },
        }


FOLLOW_PRIZE = FollowPrizeKind()
