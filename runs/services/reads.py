"""Reading Shopee's current lists of several kinds of promotion for a run, through each store's
own sync (vouchers', promotions'), each page a call of the dispatcher in the call log."""

from runs.services.records import records_of


def kinds_read(*, shops, kinds, **audit) -> list:
    """Read the ongoing and upcoming promotions of every kind named in `kinds` for `shops`
    and save them; one result per (shop, kind) (`vouchers.services.sync.ShopSync`: `shop`,
    `kind`, `listed`, `read_at`, `error`, `ok`). `audit`: actor, actor_label, client, batch_id,
    on_tick."""
    groups = {}
    for name in kinds:
        records = records_of(name)
        groups.setdefault(type(records), []).append(records.kind)
    results = []
    for store, group in groups.items():
        results += store.read(shops=shops, kinds=group, **audit)
    return results
