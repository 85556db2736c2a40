"""END_RUN_MAX_ATTEMPTS bounds what Shopee sees for a voucher, counted in Shopee's own log."""

import pytest

from runs.models import EndRun
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.pages import ask_to_end, confirm, finish_runs

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"
GET = "/api/v2/voucher/get_voucher"


@pytest.mark.parametrize("limit", [8, 4, 3])
def test_a_constant_502_stops_at_the_attempt_limit(merch_client, sandbox, settings, limit):
    settings.END_RUN_MAX_ATTEMPTS = limit
    voucher = VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, "kind": "http_status", "status": 502}])

    confirm(merch_client, ask_to_end(merch_client, [voucher]))
    finish_runs()

    # Shopee's log: each end_voucher and each get_voucher check after a lost answer counts.
    seen = [call["path"] for call in sandbox.calls() if call["path"] in (END, GET)]
    assert len(seen) == limit
    assert seen.count(END) <= limit
    assert seen[0] == END
    item = EndRun.objects.get().items.get()
    assert item.state == "failed" and item.attempts == limit
    assert f"Gave up after {limit} attempts" in item.reason
