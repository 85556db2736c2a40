"""Reading Shopee's current lists of several kinds of promotion for a run, in one read of the
dispatcher (each page a call in the call log), each kind saved to its own records."""

from promotions.services.sync import LIVE_STATUSES, shops_kinds_sync


def kinds_read(*, shops, kinds, **audit) -> list:
    """Read the ongoing and upcoming promotions of every kind named in `kinds` for `shops`
    and save them; one result per (shop, kind) (`vouchers.services.sync.ShopSync`: `shop`,
    `kind`, `listed`, `read_at`, `error`, `ok`). `audit`: actor, actor_label, client, batch_id,
    on_tick."""
    return shops_kinds_sync(shops=shops, kinds=kinds, statuses=LIVE_STATUSES, **audit)
