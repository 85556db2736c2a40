"""Shopee down for everyone: the dispatcher's circuit breaker.

When each of the last `calls` calls failed with a network error or a 5xx, the circuit opens: the
dispatcher tells its job that it waits for Shopee, sends one call (a probe, audited like any)
every `probe_seconds`, and the first answer closes the circuit. Only the dispatcher's thread
uses it; it keeps no database state.
"""

import logging
import time
from collections import deque

from shopee import errors

# The dispatcher's logger: what operators already search for.
logger = logging.getLogger("dispatch.services.dispatcher")

OPENED, CLOSED = "opened", "closed"


class Circuit:
    def __init__(self, *, calls: int, probe_seconds: float, down_since: float | None = None):
        self.down_since = down_since  # Unix time since when Shopee fails for everyone
        self.probe_seconds = probe_seconds
        self._recent = deque(maxlen=calls)  # the last calls: did each find Shopee down?
        self._next_probe = 0.0

    def observe(self, error) -> str | None:
        """Note a call's failure (None: answered); OPENED or CLOSED when the circuit changes."""
        down = error is not None and errors.shopee_down(error)
        self._recent.append(down)
        if self.down_since is None:
            if len(self._recent) == self._recent.maxlen and all(self._recent):
                self.down_since = time.time()
                self._next_probe = self.down_since + self.probe_seconds
                logger.warning("Shopee failed the last %d calls: waiting", len(self._recent))
                return OPENED
        elif not down:
            self.down_since = None
            self._recent.clear()
            logger.warning("Shopee answers again")
            return CLOSED
        return None

    def probe_due(self, now: float) -> bool:
        """Whether the next probe may leave now (and then the one after waits its turn)."""
        if now < self._next_probe:
            return False
        self._next_probe = now + self.probe_seconds
        logger.warning("Shopee is down for every call: probing with one call")
        return True
