"""Helpers of the sandbox fuzz modules: a sandbox of their own, a baseline state restored before
every example, raw HTTP requests, and the checks every answer must pass."""

import json
import time

import requests
from hypothesis import strategies as st

from sandbox.testing import SandboxControl, start_sandbox
from tests.conftest import PARTNER_ID, PARTNER_KEY
from tests.fuzz.strategies import INT64_MAX, any_texts, id_texts

SHOPS = [
    {"shop_id": 7001, "access_token": "a" * 32, "refresh_token": "b" * 32},
    {"shop_id": 7002, "access_token": "c" * 32, "refresh_token": "d" * 32},
]
SECRETS = [PARTNER_KEY]


def baseline(now: int) -> dict:
    """The state every example starts from: one partner, two shops, vouchers in each state."""
    vouchers = []
    for n, (start, end) in enumerate(
        [(now - 60, now + 3600), (now + 3600, now + 7200), (now - 7200, now - 3600)]
    ):
        for shop in SHOPS:
            vouchers.append(
                {
                    "shop_id": shop["shop_id"],
                    "voucher_id": 5_000_000_000 + 10 * n + shop["shop_id"] % 10,
                    "start_time": start,
                    "end_time": end,
                }
            )
    vouchers[0]["is_admin"] = True
    return {
        "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
        "shops": [{"partner_id": PARTNER_ID, "name": f"Shop {s['shop_id']}", **s} for s in SHOPS],
        "vouchers": vouchers,
        "promotions": promotions(now),
    }


PROMOTION_IDS = {  # every kind's id field; ids 5000000001.. as the vouchers'
    "discount": "discount_id",
    "bundle_deal": "bundle_deal_id",
    "add_on_deal": "add_on_deal_id",
    "follow_prize": "campaign_id",
    "shop_flash_sale": "flash_sale_id",
}


def promotions(now: int) -> dict:
    """Each kind ongoing, upcoming and expired in each shop (ids as the vouchers'), one of each
    kind but the follow prize Shopee-created."""
    made = {
        "discount": {"source": 1},
        "bundle_deal": {"shopee_created": True},
        "add_on_deal": {"source": 0},
        "shop_flash_sale": {"status": 3},
    }
    times = [(now - 60, now + 3600), (now + 3600, now + 7200), (now - 7200, now - 3600)]
    every = {}
    for kind, id_field in PROMOTION_IDS.items():
        every[kind] = [
            {
                "shop_id": shop["shop_id"],
                id_field: 5_000_000_000 + 10 * n + shop["shop_id"] % 10,
                "start_time": start,
                "end_time": end,
            }
            for n, (start, end) in enumerate(times)
            for shop in SHOPS
        ]
        every[kind][0] |= made.get(kind, {})
    return every


class OwnSandbox:
    """A sandbox server for one fuzz module, so that nothing it is sent reaches other tests."""

    def __init__(self):
        self.running = start_sandbox()
        self.base_url = self.running.base_url
        self.control = SandboxControl(self.base_url)
        self.session = requests.Session()

    def restore(self) -> int:
        """Back to the baseline (reset also clears clock, calls, faults, limits); its time."""
        self.control.reset(baseline(int(time.time())))  # a reset puts the clock back to real time
        return self.control.now()

    def state(self) -> dict:
        state = self.control.state()
        state.pop("now", None)
        return state

    def send(self, method, path, *, query=None, body=b"", headers=None):
        """One raw request; a dropped connection (no HTTP answer at all) fails the example."""
        try:
            return self.session.request(
                method,
                self.base_url + path,
                params=query,
                data=body,
                headers=headers or {},
                timeout=10,
                allow_redirects=False,
            )
        except requests.ConnectionError as error:
            raise AssertionError(
                f"the sandbox closed the connection without an answer: {method} {path[:80]}"
            ) from error

    def stop(self):
        self.session.close()
        self.control.close()
        self.running.stop()


def assert_answered(response, what, *, secrets=SECRETS):
    """An HTTP answer below 500 without the partner key (the control API's state shows it on
    purpose: pass ``secrets=()`` there)."""
    assert response.status_code < 500, f"{what}: HTTP {response.status_code} {response.text[:300]}"
    for secret in secrets:
        assert secret not in response.text, f"{what}: the partner key is in the answer"


def json_values(max_leaves=8):
    """Any JSON value, including what Python's json writes beyond the standard (NaN,
    Infinity) and integers far beyond 64 bits."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, 1, -1, INT64_MAX, INT64_MAX + 1, 10**400]),
        st.floats(allow_nan=True, allow_infinity=True),
        any_texts(20),
        id_texts(),
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(any_texts(10), children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def json_bodies(keys):
    """A request body: an object with some of `keys` (and others), any JSON, or raw bytes."""
    objects = st.dictionaries(st.sampled_from(keys) | any_texts(10), json_values(), max_size=4)
    return st.one_of(
        objects.map(lambda value: json.dumps(value).encode()),
        json_values().map(lambda value: json.dumps(value).encode()),
        st.sampled_from([b"", b"{", b"[" * 100_000, b"\xff\xfe", b"null", b'{"a": 1e999}']),
        st.binary(max_size=200),
    )


def known_sandbox_bug(path: str, query: dict, body: bytes) -> bool:
    """Inputs of sandbox bugs still open, left out of the random examples so that long runs
    find new ones. None is open: the 5,000-digit ids, deep JSON bodies and an infinite clock
    found earlier are fixed and kept as regression examples."""
    return False
