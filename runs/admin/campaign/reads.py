"""A campaign read job's rows as the plan takes them, and as its page words them."""

from jobs.models import RowState
from runs.services.campaign_plan import KindRead, ShopRead


def campaign_reads(job) -> list:
    """One ShopRead per row of the read job whose shop still exists (a deleted shop has
    nothing left to stop)."""
    reads = []
    for row in job.rows.select_related("shop").order_by("id"):
        if row.shop is None:
            continue
        found = row.found if isinstance(row.found, dict) else {}
        kinds = {
            name: KindRead(listed=dict(entry.get("listed") or {}), error=entry.get("error") or "")
            for name, entry in found.items()
            if isinstance(entry, dict)
        }
        error = row.error if row.state == RowState.FAILED and not kinds else ""
        reads.append(ShopRead(shop=row.shop, kinds=kinds, error=error))
    return reads
