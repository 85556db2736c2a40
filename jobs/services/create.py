"""Creating a shop job, and who may see it.

A job has one row per shop, written in one transaction with the job: the web request that
starts it does a few queries and no call to Shopee. The task that processes it is queued by
the caller through ops.tasks (the one place that schedules work).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from jobs.models import ConnectChange, JobKind, ShopJob, ShopJobRow
from shops.services.access import sees_all_shops, shops_visible


def shop_job_create(
    *, kind: str, actor, shops, main_account_id: int | None = None, added=()
) -> ShopJob:
    """A queued job of `kind` over `shops` (in that order), started by `actor`.

    For a connection, `added` are the shops that were new (the others were reconnected) and
    `main_account_id` the main account they came through, if any.
    """
    added_pks = {shop.pk for shop in added}
    with transaction.atomic():
        job = ShopJob.objects.create(
            kind=kind,
            created_by=actor,
            created_by_username=actor.get_username(),
            main_account_id=main_account_id,
        )
        rows = []
        for shop in shops:
            change = ConnectChange.NONE
            if kind == JobKind.CONNECT and main_account_id is not None:
                change = ConnectChange.ADDED if shop.pk in added_pks else ConnectChange.RECONNECTED
            rows.append(
                ShopJobRow(
                    job=job,
                    shop=shop,
                    shop_shopee_id=shop.shop_id,
                    shop_name=shop.name,
                    connect_change=change,
                )
            )
        ShopJobRow.objects.bulk_create(rows, batch_size=500)
    return job


def jobs_visible(queryset, user):
    """Jobs whose every shop is one of `user`'s shops (the team rule of services.access)."""
    if sees_all_shops(user):
        return queryset
    mine = shops_visible(user).values("pk")
    foreign = ShopJobRow.objects.filter(job=OuterRef("pk")).exclude(
        Q(shop__in=mine) | Q(shop__isnull=True)
    )
    ours = ShopJobRow.objects.filter(job=OuterRef("pk"), shop__in=mine)
    return queryset.exclude(Exists(foreign)).filter(Q(created_by=user) | Exists(ours))
