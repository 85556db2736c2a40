"""What the kinds kept in `promotions.models.Promotion` share: their records, paging by
`more`, and the verdict of a lost end or delete read from the kind's `get` record."""

from promotions.models import Promotion
from vouchers.services.kinds.base import PromotionKind, end_verdict, text

PAGE_SIZE = 100  # every list takes 100 a page (bundle deal up to 1000, discount at most 100)


class PromotionRecordKind(PromotionKind):
    """A kind whose records are `Promotion` rows of `kind=name`, listed with `more`."""

    record_model = Promotion
    record_id_field = "promotion_id"

    def records(self):
        return Promotion.objects.filter(kind=self.name)

    def list_page(self, response, *, page_no=1, body=None):
        payload = response if isinstance(response, dict) else {}
        rows = payload.get(self.list_key)
        return ([] if rows is None else rows), bool(payload.get("more"))

    def lost_write_verdict(self, *, action, record, original_end, target_end, now):
        return end_verdict(action=action, record=record, original_end=original_end, now=now)


def plain(value):
    """A number or short text of Shopee's kept in `details` as given (anything else: None)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    return text(value, 64) if isinstance(value, str) else value
