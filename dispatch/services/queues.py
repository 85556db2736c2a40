"""The dispatcher's queues: the tasks of one job waiting to be sent, per shop, either ready now
or waiting for a time (a retry's delay). Only the dispatcher's thread uses them."""

import heapq
import itertools
import time
from collections import defaultdict, deque


class ShopQueues:
    def __init__(self):
        self.ready = defaultdict(deque)  # shop key -> tasks
        self.waiting = []  # heap: (time, seq, shop key, task)
        self._seq = itertools.count()

    def add(self, shop_key, task, delay: float = 0.0) -> None:
        """Queue `task` for the shop, ready after `delay` seconds."""
        if delay > 0:
            heapq.heappush(self.waiting, (time.time() + delay, next(self._seq), shop_key, task))
        else:
            self.ready[shop_key].append(task)

    def wake(self) -> None:
        """Make ready the tasks whose time has come."""
        now = time.time()
        while self.waiting and self.waiting[0][0] <= now:
            _, _, shop_key, task = heapq.heappop(self.waiting)
            self.ready[shop_key].append(task)

    def pick(self, allowed):
        """Of the shops `allowed(shop_key)` lets send, the one with the most left: shops then
        finish together, instead of a few paced shops trailing at the end."""
        best, most = None, 0
        for shop_key, tasks in self.ready.items():
            if len(tasks) > most and allowed(shop_key):
                best, most = shop_key, len(tasks)
        return best

    def shops_ready(self) -> list:
        """The shops with a task ready."""
        return [shop_key for shop_key, tasks in self.ready.items() if tasks]

    def next_wake(self) -> float | None:
        """When the first waiting task becomes ready (None: none waits)."""
        return self.waiting[0][0] if self.waiting else None

    def pending(self):
        """The tasks not sent: (shop key, task) of every queue."""
        for shop_key, tasks in self.ready.items():
            for task in tasks:
                yield shop_key, task
        for _, _, shop_key, task in self.waiting:
            yield shop_key, task
