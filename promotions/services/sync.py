"""Reading shops' lists of any promotion kind beside vouchers, into `Promotion` records.

The same paced, retried and audited read as the voucher sync (`vouchers.services.sync`, whose
`shops_lists_sync` this reuses): each page is a call of the dispatcher and a row of the call log,
shops are read side by side and each shop's kinds within its pace, a failed page is retried
with backoff, an outage is waited out, and one shop's (or kind's) failure does not stop the
others. Each page is saved by `records.promotions_save_page`.
"""

from dispatch.services.pace import PacingSettings
from promotions.services.kinds import kind_named
from promotions.services.records import promotions_save_page
from shopee.client import ShopeeClient
from vouchers.services.kinds.base import PromotionKind
from vouchers.services.sync import ListStore, ShopSync, VoucherStore, shops_lists_sync

LIVE_STATUSES = ("ongoing", "upcoming")


class PromotionStore(ListStore):
    def save(self, *, shop, kind, rows, status, read_at):
        saved = promotions_save_page(shop, kind, rows, read_at, list_status=status)
        return saved.created, saved.updated, saved.listed


def shops_promotions_sync(
    *,
    shops,
    kinds,
    statuses=LIVE_STATUSES,
    actor=None,
    actor_label: str = "",
    client: ShopeeClient | None = None,
    batch_id=None,
    config: PacingSettings | None = None,
    on_tick=None,
) -> list[ShopSync]:
    """Read every page of `statuses` ("ongoing", "upcoming", "expired", "all") of each of
    `kinds` (names or kind plug-ins; not "voucher": `shops_vouchers_sync` reads those) for each
    of `shops`, creating or updating their records.

    Returns one ShopSync per (shop, kind), shops in the order given, each shop's kinds in the
    order of `kinds`: `kind` (the plug-in), `listed` (Shopee id -> status as listed), `created`,
    `updated`, `pages`, `read_at`, and `error` for a failed read (ShopUnavailable, or the
    ShopeeError of the failed page; pages already saved stay saved). ValueError for an unknown
    kind or "voucher". `on_tick()` is called about every 0.2 s (a run renews its lease).
    """
    plugins = [_plugin(kind) for kind in kinds]
    return shops_lists_sync(
        shops=shops,
        kinds=plugins,
        store=PromotionStore(),
        statuses=statuses,
        actor=actor,
        actor_label=actor_label,
        client=client,
        batch_id=batch_id,
        config=config,
        on_tick=on_tick,
    )


def _plugin(kind) -> PromotionKind:
    name = kind.name if isinstance(kind, PromotionKind) else kind
    try:
        plugin = kind_named(name)
    except KeyError:
        raise ValueError(f"Unknown promotion kind {name!r}.") from None
    if plugin.record_id_field != "promotion_id":
        raise ValueError(f"{name!r} records are not promotions: sync them with their own sync.")
    return plugin


class StoreByKind(ListStore):
    """Vouchers into their own table, every other kind into `Promotion`: so that one read
    (one dispatcher, shops side by side) covers a campaign's kinds together."""

    def __init__(self):
        self.vouchers, self.promotions = VoucherStore(), PromotionStore()

    def _for(self, kind) -> ListStore:
        return self.vouchers if kind.record_id_field != "promotion_id" else self.promotions

    def save(self, *, shop, kind, rows, status, read_at):
        return self._for(kind).save(shop=shop, kind=kind, rows=rows, status=status, read_at=read_at)

    def read_in_full(self, *, shop, kind):
        self._for(kind).read_in_full(shop=shop, kind=kind)


def shops_kinds_sync(*, shops, kinds, statuses=LIVE_STATUSES, **audit) -> list[ShopSync]:
    """Read `statuses` of every kind named in `kinds`, vouchers included, for `shops` in one
    pass of the dispatcher (rather than one pass per record table), saving each page to its
    kind's table. One ShopSync per (shop, kind), as `shops_promotions_sync` returns.
    `audit`: actor, actor_label, client, batch_id, config, on_tick."""
    plugins = [kind_named(kind) if isinstance(kind, str) else kind for kind in kinds]
    return shops_lists_sync(
        shops=shops, kinds=plugins, store=StoreByKind(), statuses=statuses, **audit
    )
