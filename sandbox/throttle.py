"""Optional per-shop throttling (``POST /_sandbox/settings {"rate_limit_per_shop": float|null}``).

A token bucket per shop_id: it holds at most ``max(1, rps)`` requests and refills at ``rps`` per
second of real (monotonic) time, so advancing the sandbox clock does not refill it. A request
that finds the bucket empty is refused with ``error_rate_limit`` (HTTP 429) and uses no token.
Callers hold the state lock.
"""

from __future__ import annotations

import time


class Throttle:
    """Per-shop token buckets; ``rps`` None means unlimited."""

    def __init__(self, rps: float | None = None) -> None:
        self.rps = rps
        self._buckets: dict[int, tuple[float, float]] = {}  # shop_id -> (tokens, last refill)

    def configure(self, rps: float | None) -> None:
        """Set the limit (None: off) and forget past traffic."""
        if rps is not None and rps <= 0:
            raise ValueError("rate_limit_per_shop must be a positive number or null")
        self.rps = rps
        self._buckets.clear()

    def allow(self, shop_id: int) -> bool:
        """Take one token from ``shop_id``'s bucket; False when it is empty."""
        if self.rps is None:
            return True
        capacity = max(1.0, self.rps)
        now = time.monotonic()
        tokens, last = self._buckets.get(shop_id, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * self.rps)
        if tokens < 1.0:
            self._buckets[shop_id] = (tokens, now)
            return False
        self._buckets[shop_id] = (tokens - 1.0, now)
        return True
