"""The generalized engine after a worker died mid-write, for a kind other than vouchers: the item
left `sending` with its promotion's write in flight is settled with the kind's get call (never
sent again), and the call-log row the dead worker left pending is closed with what was learnt."""

import pytest
from django.utils import timezone

from audit.models import ShopeeCall
from promotions.services.kinds import kind_named
from runs.models import EndRun, ItemState
from runs.services.campaign import campaign_run_create
from tests.pages import finish_runs
from tests.runs.test_campaign_kinds import HOUR, add, records, shop  # noqa: F401 (fixtures)
from tests.runs.test_campaign_kinds import user as user  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "applied"), [("discount", True), ("shop_flash_sale", False)])
def test_a_write_left_in_flight_is_checked_not_sent_twice(sandbox, shop, user, kind, applied):  # noqa: F811
    plugin = kind_named(kind)
    add(sandbox, kind, shop, 801, start=-2 * HOUR)
    [record] = records(sandbox, shop, kind, 801)
    run = campaign_run_create(user=user, items=[(kind, record)], selection="takeover")
    item = run.items.get()
    # A dead worker: Shopee's lists read, the write sent (and maybe applied), no answer kept.
    if applied:
        sandbox.control.end_promotion(kind, shop.shop_id, 801)
    now = timezone.now()
    EndRun.objects.filter(pk=run.pk).update(read_at=now, read_report=[])
    type(item).objects.filter(pk=item.pk).update(state=ItemState.SENDING, attempts=1)
    type(record).objects.filter(pk=record.pk).update(end_sent_at=now)
    write = plugin.end_call(801)
    row = ShopeeCall.objects.create(
        started_at=now,
        shop=shop,
        shop_shopee_id=shop.shop_id,
        batch_id=run.public_id,
        endpoint=write.path,
        method=write.method,
        request={"method": write.method, "path": write.path, "query": {}, "body": write.body},
    )
    sandbox.control.clear_calls()

    finish_runs()

    item.refresh_from_db()
    get = plugin.get_call(801).path.rsplit("/", 1)[-1]
    paths = [call["path"] for call in sandbox.calls()]
    row.refresh_from_db()
    assert row.outcome == "failed"
    if applied:
        assert item.state == "ended" and f"confirmed with {get}" in item.reason
        assert write.path not in paths  # checked, never sent again
        assert row.message == f"no answer: checked with {get}, ended"
    else:
        assert item.state == "ended" and item.reason == ""  # not applied: sent once more
        assert paths.count(write.path) == 1
        assert row.message == f"no answer: checked with {get}, not switched off"
    assert plugin.get_call(801).path in paths
    record.refresh_from_db()
    assert record.ended_at is not None and record.end_sent_at is None
