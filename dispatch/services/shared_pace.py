"""The pace held across every job, worker process and machine, through the app's database.

Each pace (one per shop, one for the partner app) is a `PaceSlot` row holding its next free slot
in Unix seconds. A dispatcher reserves a few slots at once with one statement:

    UPDATE vouchers_paceslot SET next_at = MAX(next_at, cool_until, :earliest) + :k * :interval
    WHERE key = :key RETURNING next_at, cool_until

(GREATEST on PostgreSQL, where the row lock serialises it; on SQLite the write lock does), and
hands them out in this process. Slots are never shared, so however many processes call Shopee,
a shop sees at most its pace in any one-second window: a shop's slot not used in time is
dropped, and each slot is lengthened by how late this process has lately sent requests after
their slots (the dispatcher reports it), so that a late request still leaves a full 1/rps
before the next slot. The partner's slots are tokens: one is spent by each call at or after
its time (never before), so that over time all processes together keep the partner's pace, give
or take a batch. A batch is small (a fifth of a second of a shop's pace, a twentieth of the
partner's) so that idle slots cost little. `error_rate_limit` moves the shop's `cool_until`: every
process sees it at its next reservation.
"""

import math
import time
from collections import defaultdict, deque

from django.db import connection

from dispatch.models import PaceSlot
from dispatch.services.pace import Lateness, slot_seconds

SHOP_BATCH_SECONDS = 0.2
PARTNER_BATCH_SECONDS = 0.05
LATE_SECONDS = 0.005  # a slot this far in the past is dropped, not used late


class SharedPace:
    def __init__(self, *, shop_rps: float, global_rps: float, partner: str, clock=time.time):
        self.shop_interval = slot_seconds(shop_rps)
        self.partner_interval = 1.0 / global_rps
        self.shop_batch = max(1, math.floor(SHOP_BATCH_SECONDS * shop_rps))
        self.partner_batch = max(1, math.floor(PARTNER_BATCH_SECONDS * global_rps))
        self.partner_key = f"partner:{partner}"
        self.clock = clock
        self.slots = defaultdict(deque)  # shop key -> reserved slots, in order
        self.partner_slots = deque()
        self.seen = {}  # pace key -> (next_at, cool_until) at the last reservation
        self.taken_partner = None
        self.rows = set()  # pace keys whose row exists
        self.lateness = Lateness()

    def next_slot(self, shop_key) -> float:
        """The earliest time a request for this shop may start (as far as this process knows)."""
        now = self.clock()
        slots = _fresh(self.slots[shop_key], now)
        if slots:
            shop = slots[0]
        else:
            seen_next, cool = self.seen.get(_shop(shop_key), (0.0, 0.0))
            shop = max(now, seen_next, cool)
        if self.partner_slots:
            partner = self.partner_slots[0]
        else:
            partner = self.seen.get(self.partner_key, (0.0,))[0]
        return max(shop, partner)

    def take(self, shop_key, want: int = 1) -> float:
        """Reserve a slot for this shop (and the partner's pace) and return it: possibly later
        than `next_slot()` said, when other processes took the slots first."""
        now = self.clock()
        if not self.partner_slots:
            self.partner_slots.extend(
                self._reserve(self.partner_key, self.partner_batch, self.partner_interval, now)
            )
        partner = self.partner_slots.popleft()
        self.taken_partner = partner
        slots = self.slots[shop_key]
        if not _fresh(slots, max(now, partner)):
            count = max(1, min(want, self.shop_batch))
            # Each slot also covers how late this process may send it, so that the next slot,
            # maybe another process's, still comes a full 1/rps after the request.
            interval = self.shop_interval + min(self.lateness.bound, self.shop_interval)
            slots.extend(self._reserve(_shop(shop_key), count, interval, max(now, partner)))
        return slots.popleft()

    def give_back(self, shop_key, slot: float, *, partner: bool = True) -> None:
        """A slot taken but not used: it stays this process's, for the next request (with the
        partner's token of the last `take()` when `partner`)."""
        self.slots[shop_key].appendleft(slot)
        if partner and self.taken_partner is not None:
            self.partner_slots.appendleft(self.taken_partner)
            self.taken_partner = None

    def cool_down(self, shop_key, seconds: float) -> None:
        """Shopee answered `error_rate_limit`: no process sends for this shop for `seconds`."""
        until = self.clock() + seconds
        key = _shop(shop_key)
        self._ensure_row(key)
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table()} SET cool_until = {greatest}(cool_until, %s) "  # noqa: S608
                f"WHERE {_key()} = %s",
                [until, key],
            )
        slots = self.slots[shop_key]
        while slots and slots[0] < until:
            slots.popleft()
        seen_next, cool = self.seen.get(key, (0.0, 0.0))
        self.seen[key] = (seen_next, max(cool, until))

    def _reserve(self, key, count, interval, earliest) -> list[float]:
        """`count` consecutive slots of pace `key`, none before `earliest`."""
        self._ensure_row(key)
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table()} "  # noqa: S608 - our table, column and function
                f"SET next_at = {greatest}(next_at, cool_until, %s) + %s "
                f"WHERE {_key()} = %s RETURNING next_at, cool_until",
                [earliest, count * interval, key],
            )
            next_at, cool_until = cursor.fetchone()
        self.seen[key] = (next_at, cool_until)
        first = next_at - count * interval
        return [first + n * interval for n in range(count)]

    def _ensure_row(self, key):
        if key in self.rows:
            return
        PaceSlot.objects.get_or_create(key=key)
        self.rows.add(key)


def _table() -> str:
    return connection.ops.quote_name(PaceSlot._meta.db_table)


def _key() -> str:
    return connection.ops.quote_name("key")


def _shop(shop_key) -> str:
    return f"shop:{shop_key}"


def _fresh(slots: deque, now: float) -> deque:
    """Drop the slots too far in the past to be used; the rest, in order."""
    while slots and slots[0] < now - LATE_SECONDS:
        slots.popleft()
    return slots
