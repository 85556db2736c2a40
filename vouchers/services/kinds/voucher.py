"""Vouchers as a promotion kind: everything voucher-specific the engine and sync rely on.

Shopee's voucher APIs (shopee-api.md sections 5 and 7): vouchers have no status field (upcoming,
ongoing and expired follow from start and end time); `get_voucher_list` pages with `more`;
`end_voucher` ends an ongoing voucher, `delete_voucher` deletes an upcoming one, and
`update_voucher` may only bring an end time forward; Shopee-managed vouchers (`is_admin`, shop
game, follow prize, membership) refuse every write. The skip reasons are stored in English and
translated where pages show them.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from core.parsing import NumberError, parse_unix_time
from runs.models import ItemAction
from shopee import api
from vouchers.models.voucher import SHOPEE_MANAGED_PURPOSES, Voucher
from vouchers.services.kinds.base import (
    APPLIED,
    EXPIRED,
    NOT_APPLIED,
    SKIP_EXPIRED,
    STARTED,
    UNREADABLE,
    PromotionKind,
    row_fields,
    text,
)

SKIP_ALREADY_ENDED = gettext_noop("Already ended through shopadmin.")
SKIP_ALREADY_DELETED = gettext_noop("Already deleted at Shopee through shopadmin.")
SKIP_UPCOMING = gettext_noop(
    "Upcoming: it has not started yet, and Shopee can only end ongoing vouchers."
)
SKIP_SHOPEE_MANAGED = gettext_noop(
    "Managed by Shopee (created in Shopee's admin, or a shop game, follow prize or membership "
    "voucher): Shopee does not allow ending it."
)
SKIP_NOT_LIVE = (
    "Not live at Shopee: neither ongoing nor upcoming in Shopee's lists read at {at} "
    "(it has expired, been ended or been deleted)."
)
SKIP_ENDS_SOONER = "It ends at {end} anyway, before the chosen end time."


def shopee_managed(path: str = "") -> Q:
    """Our copy says Shopee manages it: a condition on vouchers, or on `path` to a voucher
    (`shopee_managed("voucher__")` for run items)."""
    return Q(**{f"{path}is_admin": True}) | Q(
        **{f"{path}voucher_purpose__in": SHOPEE_MANAGED_PURPOSES}
    )


SHOPEE_MANAGED = shopee_managed()


def ends_sooner(end) -> str:
    """The one text of "it ends before the chosen end time anyway"."""
    return SKIP_ENDS_SOONER.format(end=f"{end:%Y-%m-%d %H:%M:%S} UTC")


class VoucherKind(PromotionKind):
    name = "voucher"
    label = gettext_lazy("voucher")
    label_plural = gettext_lazy("vouchers")
    id_field = "voucher_id"
    list_key = "voucher_list"
    record_model = Voucher
    record_id_field = "voucher_id"
    can_set_end = True
    already_ended_error = "voucher.update_end_voucher_error"  # "Cannot update status for expired"
    managed_errors = ("voucher.operate_voucher_permission_error",)
    skip_shopee_managed = SKIP_SHOPEE_MANAGED
    skip_upcoming = SKIP_UPCOMING
    skip_expired = SKIP_EXPIRED
    error_codes = (
        "voucher.end_voucher_status_error",
        "voucher.update_end_voucher_error",
        "voucher.operate_voucher_permission_error",
    )

    def list_call(self, *, status, page_no):
        return api.get_voucher_list(status=status, page_no=page_no)

    def list_page(self, response, *, page_no=1, body=None):
        payload = response if isinstance(response, dict) else {}
        return payload.get(self.list_key) or [], bool(payload.get("more"))

    def get_call(self, promotion_id):
        return api.get_voucher(voucher_id=promotion_id)

    def end_call(self, promotion_id):
        return api.end_voucher(voucher_id=promotion_id)

    def delete_call(self, promotion_id):
        return api.delete_voucher(voucher_id=promotion_id)

    def set_end_call(self, promotion_id, end_time):
        return api.update_voucher_end(voucher_id=promotion_id, end_time=end_time)

    @property
    def delete_path(self):
        return api.DELETE_VOUCHER

    def record_fields(self, row):
        """A voucher row in the kinds' common shape (the voucher's own record is written by
        `voucher_records.save_page`)."""
        voucher_id, start, end = row_fields(row, id_field=self.id_field, what="voucher")
        purpose = row.get("voucher_purpose")
        return {
            "promotion_id": voucher_id,
            "name": text(row.get("voucher_name")),
            "start_time": start,
            "end_time": end,
            "shopee_status": "",
            "shopee_managed": bool(row.get("is_admin")) or purpose in SHOPEE_MANAGED_PURPOSES,
            "details": {"code": text(row.get("voucher_code"), 100), "voucher_purpose": purpose},
        }

    def lost_write_verdict(self, *, action, record, original_end, target_end, now):
        record = record if isinstance(record, dict) else {}
        try:
            end = parse_unix_time(record.get("end_time", 0), label="end_time")
            start = parse_unix_time(record.get("start_time", 0), label="start_time")
        except NumberError:
            return UNREADABLE, None
        if action == ItemAction.DELETE:
            # get_voucher found it: not deleted. Delete again, or end it once it has started.
            return (STARTED if start <= now else NOT_APPLIED), None
        if action == ItemAction.SET_END:
            if abs((end - target_end).total_seconds()) < 1:
                return APPLIED, end
            return (EXPIRED if end <= now else NOT_APPLIED), None
        if end < original_end and end <= now:
            return APPLIED, end
        return (EXPIRED if end <= now else NOT_APPLIED), None


VOUCHER = VoucherKind()
