"""Reading Shopee's current lists for "Stop a campaign": a shop job of kind `campaign`.

Reading every chosen kind's lists of every shop takes time proportional to the shops, so the
web request only records the job (one row per shop, the campaign's terms in `job.outcome`) and a
worker reads: per batch of shops, the vouchers' lists (`shops_vouchers_sync`) and the other
kinds' lists (`shops_promotions_sync`), ongoing and upcoming, through the dispatcher (paced,
retried, audited). Each row keeps per kind what Shopee listed (`row.found`), or why its read
failed, so the preview (runs.services.campaign_plan) decides on Shopee's word of that moment.
A shop one of whose kinds could not be read is `failed`, its other kinds kept.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import JobKind, RowState, ShopJob, ShopJobRow
from jobs.services.create import shop_job_create
from promotions.services.sync import LIVE_STATUSES, shops_kinds_sync
from shops.services.shops import ShopUnavailable

BATCH_PER_SLOT = 4
SHOP_DELETED = "The shop was deleted from shopadmin."


def campaign_read_create(*, actor, shops, campaign: dict) -> ShopJob:
    """A queued job reading the lists of `campaign["kinds"]` for `shops`; `campaign` (the
    kinds, the code prefix, name words, window, zone) is kept on the job for the preview.
    The caller queues it (ops.tasks.shop_job_enqueue)."""
    with transaction.atomic():
        job = shop_job_create(kind=JobKind.CAMPAIGN, actor=actor, shops=shops)
        job.outcome = {"campaign": campaign}
        job.save(update_fields=["outcome"])
    return job


def campaign_terms(job: ShopJob) -> dict:
    """The campaign a read job was started for (empty for another kind of job)."""
    terms = (job.outcome or {}).get("campaign")
    return terms if isinstance(terms, dict) else {}


def campaign_read(job, client, lease) -> None:
    """The job's handler (jobs.services.process): read the pending rows' shops batch by batch,
    each row saved as soon as its shop's kinds are read."""
    kinds = list(campaign_terms(job).get("kinds") or [])
    size = BATCH_PER_SLOT * max(1, settings.END_RUN_CONCURRENCY)
    rows = list(job.rows.filter(state=RowState.PENDING).select_related("shop").order_by("id"))
    for start in range(0, len(rows), size):
        if start:
            lease.slice_check()
        lease.renew()
        batch = rows[start : start + size]
        for row in batch:
            if row.shop is None:  # deleted since the job was made
                _row_finish(row, {}, error=SHOP_DELETED)
        readable = [row for row in batch if row.shop is not None]
        if not readable:
            continue
        found = _read(
            shops=[row.shop for row in readable],
            kinds=kinds,
            client=client,
            actor=job.created_by,
            on_tick=lease.renew,
        )
        for row in readable:
            _row_finish(row, found.get(row.shop.pk, {}))


def _read(*, shops, kinds, client, actor, on_tick) -> dict:
    """{shop pk: {kind: {"listed": {id: status}, "error": str, "unavailable": bool, ...}}}."""
    found = {shop.pk: {} for shop in shops}
    results = shops_kinds_sync(
        shops=shops,
        kinds=kinds,
        statuses=LIVE_STATUSES,
        client=client,
        actor=actor,
        on_tick=on_tick,
    )
    for result in results:
        found[result.shop.pk][result.kind.name] = _entry(
            listed=result.listed,
            error=result.error,
            read_at=result.read_at,
            created=result.created,
            updated=result.updated,
        )
    return found


def _entry(*, listed, error, read_at, created, updated) -> dict:
    return {
        "listed": {str(shopee_id): str(status) for shopee_id, status in (listed or {}).items()},
        "error": str(error) if error is not None else "",
        "unavailable": isinstance(error, ShopUnavailable),
        "read_at": (read_at or timezone.now()).isoformat(),
        "saved": (created or 0) + (updated or 0),
    }


def _row_finish(row, found: dict, *, error: str = "") -> None:
    errors = [entry["error"] for entry in found.values() if entry.get("error")]
    error = error or (errors[0] if errors else "")
    row.found = found
    row.state = RowState.FAILED if error else RowState.DONE
    row.error = error
    row.unavailable = any(entry.get("unavailable") for entry in found.values())
    row.created = sum(len(entry.get("listed") or {}) for entry in found.values())
    row.shop_name = row.shop.name if row.shop is not None else row.shop_name
    row.finished_at = timezone.now()
    ShopJobRow.save(row)
