"""The dispatcher's queues (dispatch/services/queues.py): a delayed task waits its time, and the
shop with the most left is sent first among those the pace allows."""

import time

from dispatch.services.queues import ShopQueues


def test_a_delayed_task_is_ready_only_once_its_time_has_come():
    queues = ShopQueues()
    queues.add("a", "now")
    queues.add("b", "later", delay=60)

    queues.wake()
    assert queues.shops_ready() == ["a"]
    assert queues.next_wake() > time.time() + 50
    assert sorted(queues.pending()) == [("a", "now"), ("b", "later")]


def test_the_shop_with_the_most_left_goes_first_among_the_allowed():
    queues = ShopQueues()
    for n in range(3):
        queues.add("big", n)
    queues.add("small", 0)

    assert queues.pick(lambda shop: True) == "big"
    assert queues.pick(lambda shop: shop != "big") == "small"
    assert queues.pick(lambda shop: False) is None
