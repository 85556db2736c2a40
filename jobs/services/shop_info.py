"""Many shops' details (get_shop_info) fetched side by side, as a job of the dispatcher.

Connecting a main account brings tens or hundreds of shops whose name, region, merchant and
authorization end we must read: one after another that is minutes at Shopee's latency. Here each
shop is one task of a `Dispatcher` (services.dispatch), which sends them side by side at the
shared pace, writes the audit rows, refreshes a rejected token and flags a shop whose
authorization is over; this module only says which call to make and keeps the answer
(`shop_info_save`). A failed call is retried with backoff like a sync's pages; one shop's
failure is kept in its result and does not stop the others.
"""

from dataclasses import dataclass

from dispatch.services.decisions import AGAIN, DONE, CoolDown, RetryAfter
from dispatch.services.dispatcher import Call, Dispatcher, Job
from dispatch.services.pace import PacingSettings, backoff_seconds
from shopee import api
from shopee.client import ShopeeClient
from shopee.errors import BACK_OFF, RETRY, ShopeeError
from shops.models import Shop
from shops.services.connect import shop_info_save
from shops.services.shops import ShopUnavailable


@dataclass
class ShopInfo:
    """One shop's fetch: `error` is set when it failed (its details are then unchanged)."""

    shop: Shop
    error: ShopeeError | ShopUnavailable | None = None
    attempts: int = 0

    @property
    def ok(self):
        return self.error is None


def shops_info_update(
    *,
    shops,
    client: ShopeeClient,
    actor=None,
    actor_label: str = "",
    on_shop=None,
    on_tick=None,
    config: PacingSettings | None = None,
) -> list[ShopInfo]:
    """Fetch and keep each of `shops`' details (as `shop_info_update` does), side by side.

    Returns one ShopInfo per shop, in the order given. `on_shop(info)` is called (in this
    thread) as each shop is done, `on_tick()` about every 0.2 s (a job renews its lease).
    """
    config = config or PacingSettings.from_settings()
    job = _InfoJob(config, on_shop, on_tick, actor=actor, actor_label=actor_label)
    dispatcher = Dispatcher(job, client, config)
    results = [ShopInfo(shop=shop) for shop in shops]
    for info in results:
        dispatcher.add(info.shop.pk, info)
    dispatcher.run()
    return results


class _InfoJob(Job):
    """A task is one shop's ShopInfo; it is sent again only to retry."""

    def __init__(self, config, on_shop, on_tick, *, actor, actor_label):
        self.config, self.on_shop, self.on_tick = config, on_shop, on_tick
        self.actor, self.actor_label = actor, actor_label

    def tick(self) -> bool:
        if self.on_tick is not None:
            self.on_tick()
        return True

    def prepare(self, info):
        info.attempts += 1
        return Call(task=info, shop=info.shop, api=api.get_shop_info(), attempt=info.attempts)

    def unavailable(self, info, shop_key, error):
        self._finish(info, error)

    def answered(self, outcome):
        info = outcome.call.task
        if outcome.ok:
            shop_info_save(shop=info.shop, body=outcome.result.body)
            return self._finish(info, None)
        if outcome.send_again:
            return AGAIN
        if outcome.shop_down is not None:
            return self._finish(info, outcome.shop_down)
        if outcome.consequence in (RETRY, BACK_OFF) and info.attempts < self.config.max_attempts:
            if outcome.consequence == BACK_OFF:
                return CoolDown()
            return RetryAfter(
                backoff_seconds(
                    info.attempts, base=self.config.retry_base, cap=self.config.retry_max
                )
            )
        return self._finish(info, outcome.error)

    def _finish(self, info, error):
        info.error = error
        if self.on_shop is not None:
            self.on_shop(info)
        return DONE
