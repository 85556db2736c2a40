"""The in-process pacer of the senders that predate the dispatcher (monotonic clock).

New code uses `services.dispatch` (its pace is shared by every job and process);
`PacingSettings` and `backoff_seconds` live there and are re-exported here.
"""

import time
from dataclasses import dataclass, field

from vouchers.services.dispatch.pace import PacingSettings, backoff_seconds

__all__ = ["Pacer", "PacingSettings", "backoff_seconds"]


@dataclass
class Pacer:
    shop_rps: float
    global_rps: float
    clock: object = time.monotonic
    _shop_next: dict = field(default_factory=dict)
    _shop_cooldown: dict = field(default_factory=dict)
    _global_next: float = 0.0

    def next_slot(self, shop_key) -> float:
        """The earliest time a request for this shop may start."""
        return max(
            self.clock(),
            self._shop_next.get(shop_key, 0.0),
            self._shop_cooldown.get(shop_key, 0.0),
            self._global_next,
        )

    def reserve(self, shop_key) -> float:
        """Take the next slot for this shop and return it."""
        slot = self.next_slot(shop_key)
        self._shop_next[shop_key] = slot + 1.0 / self.shop_rps
        self._global_next = slot + 1.0 / self.global_rps
        return slot

    def cool_down(self, shop_key, seconds: float) -> None:
        """Send nothing for this shop for `seconds` (after `error_rate_limit`)."""
        self._shop_cooldown[shop_key] = max(
            self._shop_cooldown.get(shop_key, 0.0), self.clock() + seconds
        )
