"""Pacing calls to Shopee: at most N a second per shop and M overall, with per-shop cool-downs.

Shopee publishes no rate limits, so we pace ourselves and back off when Shopee answers
`error_rate_limit`. Times are wall-clock Unix seconds, so that slots mean the same in every
process and machine. `LocalPace` keeps the pace in this process only; the shared pace
(`shared.SharedPace`) keeps it across processes through the database. Both are used by one
dispatcher thread; neither is thread-safe.
"""

import random
import time
from dataclasses import dataclass, field

from django.conf import settings

# A shop's slot is a little longer than 1/rps, and longer still by how late this process has
# lately sent a request after its slot (a busy machine wakes threads late): a shop must never
# see more than its pace in any one-second window, whichever process sent the calls.
SLOT_MARGIN = 0.02
LATENESS_START = 0.02  # seconds, until lateness is observed
LATENESS_DECAY = 0.98  # per observation: the bound follows the recent worst


class Lateness:
    """How late this process's requests leave after their slots, lately at worst."""

    def __init__(self):
        self.bound = LATENESS_START

    def observe(self, seconds: float) -> None:
        self.bound = max(seconds, self.bound * LATENESS_DECAY, 0.0)


@dataclass(frozen=True)
class PacingSettings:
    """How many calls to Shopee at once, how fast per shop and overall, how often to retry: the
    END_RUN_* settings, shared by every job."""

    concurrency: int
    shop_rps: float
    global_rps: float
    max_attempts: int
    retry_base: float
    retry_max: float
    outage_calls: int
    outage_probe_seconds: float
    outage_max_wait_seconds: float

    @classmethod
    def from_settings(cls, **more):
        return cls(
            concurrency=max(1, settings.END_RUN_CONCURRENCY),
            shop_rps=settings.END_RUN_SHOP_RPS,
            global_rps=settings.END_RUN_GLOBAL_RPS,
            max_attempts=max(1, settings.END_RUN_MAX_ATTEMPTS),
            retry_base=settings.END_RUN_RETRY_BASE_SECONDS,
            retry_max=settings.END_RUN_RETRY_MAX_SECONDS,
            outage_calls=max(1, settings.END_RUN_OUTAGE_CALLS),
            outage_probe_seconds=settings.END_RUN_OUTAGE_PROBE_SECONDS,
            outage_max_wait_seconds=settings.END_RUN_OUTAGE_MAX_WAIT_SECONDS,
            **more,
        )


def slot_seconds(rps: float) -> float:
    """The time a shop's pace gives each call."""
    return (1.0 + SLOT_MARGIN) / rps


@dataclass
class LocalPace:
    """The pace of this process alone (one dispatcher thread)."""

    shop_rps: float
    global_rps: float
    clock: object = time.time
    _shop_next: dict = field(default_factory=dict)
    _shop_cooldown: dict = field(default_factory=dict)
    _global_next: float = 0.0
    lateness: Lateness = field(default_factory=Lateness)

    def next_slot(self, shop_key) -> float:
        """The earliest time a request for this shop may start."""
        return max(
            self.clock(),
            self._shop_next.get(shop_key, 0.0),
            self._shop_cooldown.get(shop_key, 0.0),
            self._global_next,
        )

    def take(self, shop_key, want: int = 1) -> float:
        """Take the next slot for this shop and return it."""
        slot = self.next_slot(shop_key)
        late = min(self.lateness.bound, 1.0 / self.shop_rps)
        self._shop_next[shop_key] = slot + slot_seconds(self.shop_rps) + late
        self._global_next = slot + 1.0 / self.global_rps
        return slot

    def give_back(self, shop_key, slot: float, *, partner: bool = True) -> None:
        """A slot taken but not used (it came later than the caller could wait)."""
        self._shop_next[shop_key] = min(self._shop_next.get(shop_key, slot), slot)
        self._global_next = min(self._global_next, slot)

    def cool_down(self, shop_key, seconds: float) -> None:
        """Send nothing for this shop for `seconds` (after `error_rate_limit`)."""
        self._shop_cooldown[shop_key] = max(
            self._shop_cooldown.get(shop_key, 0.0), self.clock() + seconds
        )


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: about base·2^(attempt-1), never above cap."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
