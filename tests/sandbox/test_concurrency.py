"""Concurrent requests: the threaded server keeps the state consistent behind its lock."""

import time
from concurrent.futures import ThreadPoolExecutor

from tests.sandbox.helpers import LIST, PARTNER_ID, PARTNER_KEY, REFRESH, SHOP_ID, TOKEN


def many_ongoing(count):
    now = int(time.time())
    return {
        "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
        "shops": [
            {
                "shop_id": SHOP_ID,
                "partner_id": PARTNER_ID,
                "access_token": TOKEN,
                "refresh_token": REFRESH,
            }
        ],
        "vouchers": [
            {
                "shop_id": SHOP_ID,
                "voucher_id": 1000 + i,
                "start_time": now - 60,
                "end_time": now + 3600,
            }
            for i in range(count)
        ],
    }


def test_twenty_threads_ending_distinct_vouchers_all_succeed(control, shopee):
    control.reset(many_ongoing(20))
    timestamp = control.now()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: shopee.end(1000 + i, timestamp=timestamp), range(20)))
    assert [a["error"] for a in answers] == [""] * 20
    assert sorted(a["response"]["voucher_id"] for a in answers) == list(range(1000, 1020))
    assert len({a["request_id"] for a in answers}) == 20
    state = control.state()
    assert all(v["end_time"] <= state["now"] for v in state["vouchers"])
    assert len(control.calls()) == 20
    listing = shopee.shop("GET", LIST, params={"status": "ongoing"}).json()["response"]
    assert listing == {"more": False, "voucher_list": []}


def test_racing_ends_of_one_voucher_succeed_exactly_once(control, shopee):
    control.reset(many_ongoing(1))
    timestamp = control.now()
    with ThreadPoolExecutor(max_workers=10) as pool:
        errors = list(pool.map(lambda _: shopee.end(1000, timestamp=timestamp)["error"], range(10)))
    assert errors.count("") == 1
    assert errors.count("voucher.update_end_voucher_error") == 9


def test_racing_refreshes_of_one_token_succeed_exactly_once(control, shopee):
    """Two workers refreshing the same shop at once: only one gets new tokens."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: shopee.refresh(REFRESH), range(8)))
    winners = [a for a in answers if a["error"] == ""]
    assert len(winners) == 1
    shop = next(s for s in control.state()["shops"] if s["shop_id"] == SHOP_ID)
    assert shop["refresh_token"] == winners[0]["refresh_token"]
