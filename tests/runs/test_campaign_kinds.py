"""Runs over every kind of promotion, over real HTTP to the sandbox: an ongoing one ended (a shop
flash sale switched off), an upcoming one deleted, Shopee-managed ones skipped before any call,
a lost answer settled with the kind's get call (never sent twice), refusals recorded with
Shopee's error and message, and the records marked only when Shopee said so."""

import pytest

from promotions.models import Promotion
from promotions.services.kinds import PROMOTION_KINDS, kind_named
from promotions.services.sync import shops_promotions_sync
from runs.models import ItemAction
from runs.services.campaign import campaign_run_create
from tests.factories import MERCHANDISER_PERMISSIONS, ShopTokenFactory, UserFactory
from tests.pages import finish_runs

pytestmark = pytest.mark.django_db

HOUR, DAY = 3600, 86400
NAMES = [kind.name for kind in PROMOTION_KINDS]
PERMISSIONS = [
    *MERCHANDISER_PERMISSIONS,
    "vouchers.end_voucher",
    "vouchers.delete_voucher",
    *(f"promotions.{action}_{name}" for name in NAMES for action in ("end", "delete")),
]


@pytest.fixture
def user(db):
    return UserFactory(username="campaigner", permissions=PERMISSIONS)


@pytest.fixture
def shop(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    return token.shop


def add(sandbox, kind, shop, promotion_id, *, start, end=None, **fields):
    """A promotion at Shopee (as a seller made it), `start` and `end` seconds from now."""
    now = sandbox.control.now()
    end = end if end is not None else start + 2 * DAY
    if kind == "follow_prize":
        end = max(end, start + DAY)  # a follow prize lasts at least a day
    sandbox.control.add_promotion(
        kind,
        shop_id=shop.shop_id,
        **{kind_named(kind).id_field: promotion_id},
        start_time=now + start,
        end_time=now + end,
        **fields,
    )
    return promotion_id


def records(sandbox, shop, kind, *ids):
    """Our records of them, as a read of Shopee's lists saves them."""
    [result] = shops_promotions_sync(shops=[shop], kinds=[kind])
    assert result.ok, result.error
    return [Promotion.objects.get(kind=kind, shop=shop, promotion_id=pid) for pid in ids]


def at_shopee(sandbox, kind, promotion_id):
    field = kind_named(kind).id_field
    found = [p for p in sandbox.control.promotions(kind) if p.get(field) == promotion_id]
    return found[0] if found else None


def writes(sandbox, kind):
    """The paths of the kind's end, delete and update calls Shopee received."""
    plugin = kind_named(kind)
    paths = {plugin.end_call(1).path, plugin.delete_call(1).path}
    return [call["path"] for call in sandbox.calls() if call["path"] in paths]


def run_of(user, *pairs):
    run = campaign_run_create(user=user, items=list(pairs), rule=None, selection="test")
    finish_runs()
    return run


@pytest.mark.parametrize("kind", NAMES)
def test_an_ongoing_one_is_stopped_and_an_upcoming_one_deleted(sandbox, shop, user, kind):
    plugin = kind_named(kind)
    add(sandbox, kind, shop, 101, start=-2 * HOUR)
    add(sandbox, kind, shop, 102, start=2 * HOUR)
    ongoing, upcoming = records(sandbox, shop, kind, 101, 102)

    run = run_of(user, (kind, ongoing), (kind, upcoming))

    stopped = run.items.get(promotion=ongoing)
    deleted = run.items.get(promotion=upcoming)
    assert (stopped.kind, stopped.action, stopped.state) == (kind, plugin.end_action, "ended")
    assert (deleted.action, deleted.state) == ("delete", "deleted")
    assert stopped.voucher_shopee_id == 101 and stopped.request_id
    ongoing.refresh_from_db()
    upcoming.refresh_from_db()
    assert ongoing.ended_at is not None and ongoing.ended_by == user
    assert upcoming.deleted_at is not None and upcoming.deleted_by == user
    assert ongoing.end_sent_at is None and ongoing.end_claim_item is None
    # Shopee's side: one write each, and they took effect.
    assert sorted(writes(sandbox, kind)) == sorted(
        [plugin.end_call(1).path, plugin.delete_call(1).path]
    )
    record = at_shopee(sandbox, kind, 101)
    if plugin.end_action == ItemAction.DISABLE:
        assert record["status"] == 2  # switched off
    else:
        assert record["end_time"] <= sandbox.control.now()
    gone = at_shopee(sandbox, kind, 102)
    assert gone is None or gone.get("status") == 0  # a deleted flash sale stays, status 0


MANAGED = {
    "discount": {"source": 1},
    "add_on_deal": {"source": 0},
    "shop_flash_sale": {"status": 3},
}


@pytest.mark.parametrize("kind", list(MANAGED))
def test_shopee_managed_ones_are_skipped_before_any_call(sandbox, shop, user, kind):
    add(sandbox, kind, shop, 201, start=-2 * HOUR, **MANAGED[kind])
    [managed] = records(sandbox, shop, kind, 201)
    assert managed.shopee_managed
    sandbox.control.clear_calls()

    run = run_of(user, (kind, managed))

    item = run.items.get()
    assert (item.state, item.reason) == ("skipped", kind_named(kind).skip_shopee_managed)
    assert writes(sandbox, kind) == []
    managed.refresh_from_db()
    assert managed.ended_at is None and managed.deleted_at is None


def test_a_bundle_deal_shopee_refuses_as_its_own_is_refused_then_skipped(sandbox, shop, user):
    """A bundle deal's list cannot say Shopee made it: Shopee's refusal says so, is recorded
    with its error and message, and the next run skips it before any call."""
    add(sandbox, "bundle_deal", shop, 301, start=-2 * HOUR, shopee_created=True)
    [deal] = records(sandbox, shop, "bundle_deal", 301)

    first = run_of(user, ("bundle_deal", deal)).items.get()

    assert first.state == "refused"
    assert first.error == "bundle.bundle_deal_no_auth_update" and first.reason
    deal.refresh_from_db()
    assert deal.shopee_managed and deal.ended_at is None
    sandbox.control.clear_calls()
    second = run_of(user, ("bundle_deal", deal)).items.get()
    assert second.state == "skipped" and writes(sandbox, "bundle_deal") == []


def test_a_refusal_keeps_shopees_error_and_message(sandbox, shop, user):
    kind = "shop_flash_sale"
    add(sandbox, kind, shop, 401, start=-2 * HOUR)
    [sale] = records(sandbox, shop, kind, 401)
    refusal = {"error": "marketing_error_no_premission", "message": "No permission."}
    path = kind_named(kind).end_call(1).path
    sandbox.control.set_faults([{"path": path, "kind": "shopee_error", **refusal}])

    item = run_of(user, (kind, sale)).items.get()

    assert (item.state, item.error, item.reason) == ("refused", *refusal.values())
    assert item.request_id  # Shopee's, to quote to its support
    assert writes(sandbox, kind) == [path]  # refused once: not sent again
    sale.refresh_from_db()
    assert sale.ended_at is None and sale.end_sent_at is None
    assert at_shopee(sandbox, kind, 401)["status"] == 1  # still on


def test_a_discount_that_started_less_than_an_hour_ago_is_skipped(sandbox, shop, user):
    add(sandbox, "discount", shop, 501, start=-10 * 60)
    [discount] = records(sandbox, shop, "discount", 501)

    item = run_of(user, ("discount", discount)).items.get()

    assert item.state == "skipped" and "less than an hour" in item.reason
    assert writes(sandbox, "discount") == []


@pytest.mark.parametrize("kind", NAMES)
@pytest.mark.parametrize("action", ["stop", "delete"])
def test_a_lost_answer_is_verified_with_the_kinds_get_call(sandbox, shop, user, kind, action):
    """Shopee applies the write, then the answer is lost: the kind's get call settles it, and
    the write is never sent twice."""
    plugin = kind_named(kind)
    start = -2 * HOUR if action == "stop" else 2 * HOUR
    add(sandbox, kind, shop, 601, start=start)
    [record] = records(sandbox, shop, kind, 601)
    write = plugin.end_call(601) if action == "stop" else plugin.delete_call(601)
    sandbox.control.set_faults([{"path": write.path, "kind": "drop", "phase": "after", "times": 1}])

    item = run_of(user, (kind, record)).items.get()

    assert item.state == ("ended" if action == "stop" else "deleted"), item.reason
    get = plugin.get_call(601).path.rsplit("/", 1)[-1]
    assert f"confirmed with {get}" in item.reason
    assert [call["path"] for call in sandbox.calls()].count(write.path) == 1
    record.refresh_from_db()
    if action == "stop":
        assert record.ended_at is not None and record.deleted_at is None
    else:
        assert record.deleted_at is not None and record.ended_at is None
    assert record.end_sent_at is None


def test_only_permitted_actions_and_own_shops_are_run(sandbox, shop, db):
    member = UserFactory(
        username="limited", permissions=[*MERCHANDISER_PERMISSIONS, "promotions.end_discount"]
    )
    add(sandbox, "discount", shop, 701, start=-2 * HOUR)
    add(sandbox, "discount", shop, 702, start=2 * HOUR)
    ongoing, upcoming = records(sandbox, shop, "discount", 701, 702)

    run = run_of(member, ("discount", ongoing), ("discount", upcoming))

    assert run.items.get(promotion=ongoing).state == "ended"
    refused = run.items.get(promotion=upcoming)
    assert refused.state == "skipped" and "not allowed to delete" in refused.reason
    assert writes(sandbox, "discount") == [kind_named("discount").end_call(1).path]
