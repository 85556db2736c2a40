"""The fault kinds a run is put under, each hitting 20% of the calls on a write path
(end_voucher or delete_voucher) and, for the kinds that leave the outcome unknown, of the
get_voucher checks that follow. Rules use fixed seeds; which voucher a fault hits still depends
on timing, so the suites assert invariants, not call counts.
"""

from dataclasses import dataclass, field

from audit.models import ShopeeCall
from tests.faults.shopee_log import GET, REFRESH, ShopeeSide

RATE = 0.2
HTML_500 = "<html><head><title>500</title></head><body><h1>Internal Server Error</h1></body></html>"
NO_ANSWER = "The connection to Shopee failed or was dropped before an answer."


@dataclass
class Scenario:
    rules: list
    lost_messages: tuple = ()  # the client's message for a call that got no usable answer
    lost_after: bool = False  # a lost write's answer was dropped after Shopee applied it
    settings: dict = field(default_factory=dict)


def scenarios(write: str) -> dict[str, Scenario]:
    """Each kind of fault on the `write` path (and get_voucher), by name."""

    def on_write_and_get(**fault):
        """The same fault on the write and on get_voucher, each with its own seeded draw."""
        return [
            {"path": write, "rate": RATE, "seed": 11, **fault},
            {"path": GET, "rate": RATE, "seed": 12, **fault},
        ]

    return {
        "html-500": Scenario(
            on_write_and_get(
                kind="http_status", status=500, content_type="text/html", body=HTML_500
            ),
            lost_messages=("Shopee answered HTTP 500 with a body that is not JSON.",),
        ),
        # Each hung call holds a slot for the whole client timeout (1 s): twice the default
        # concurrency keeps this run near the others' time.
        "timeout": Scenario(
            on_write_and_get(kind="hang", hang_seconds=1.5),
            lost_messages=("No answer from Shopee within 1 s (timeout).",),
            settings={"END_RUN_CONCURRENCY": 16},
        ),
        "drop-before": Scenario(
            on_write_and_get(kind="drop", phase="before"), lost_messages=(NO_ANSWER,)
        ),
        "drop-after": Scenario(
            on_write_and_get(kind="drop", phase="after"),
            lost_messages=(NO_ANSWER,),
            lost_after=True,
        ),
        "non-json": Scenario(
            on_write_and_get(kind="non_json", body="upstream connect error or disconnect/reset"),
            lost_messages=("Shopee answered HTTP 200 with a body that is not JSON.",),
        ),
        "rate-limit": Scenario(
            [
                {
                    "path": write,
                    "rate": RATE,
                    "seed": 13,
                    "kind": "shopee_error",
                    "error": "error_rate_limit",
                    "message": "Too many requests, please try again later.",
                    "status": 429,
                }
            ]
        ),
        # Half in each of Shopee's two wordings: 10%, then 1/9 of the other 90%, is 20%.
        "invalid-token": Scenario(
            [
                {
                    "path": write,
                    "rate": 0.1,
                    "seed": 14,
                    "kind": "shopee_error",
                    "error": "invalid_acceess_token",
                    "message": "Invalid access_token.",
                    "status": 403,
                },
                {
                    "path": write,
                    "rate": 1 / 9,
                    "seed": 15,
                    "kind": "shopee_error",
                    "error": "error_auth",
                    "message": "Invalid access_token.",
                },
            ]
        ),
    }


def check_kind(name, shopee: ShopeeSide, *, write: str):
    """What is particular to a kind of fault on the `write` path."""
    rows = ShopeeCall.objects.all()
    if name == "rate-limit":
        # A rate-limited request was not applied: resent at once, never checked first.
        assert not shopee.on(GET) and not shopee.on(REFRESH)
        limited = rows.filter(error="error_rate_limit")
        assert limited.count() == len([c for c in shopee.on(write) if c.fault]) > 0
        assert set(limited.values_list("outcome", "error_kind").distinct()) == {
            ("refused", "rate_limit")
        }
    elif name == "invalid-token":
        # Each rejection is followed by a refresh (or by the pair another flight got meanwhile)
        # and the call is sent again; the shops keep working.
        rejected = rows.filter(endpoint=write, error_kind="authorization")
        refreshes = shopee.on(REFRESH)
        assert not shopee.on(GET)
        assert 0 < len(refreshes) <= rejected.count()
        assert all(call.succeeded for call in refreshes)
        assert rows.filter(endpoint=REFRESH, outcome="success").count() == len(refreshes)
    else:
        # Every write without a usable answer was checked with get_voucher.
        assert shopee.on(GET)
        assert not shopee.on(REFRESH)
