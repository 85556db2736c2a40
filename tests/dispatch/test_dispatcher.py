"""The dispatcher, driven directly by small jobs over the sandbox: audit rows, decisions,
tokens, and the pace shared by every process through the database."""

import threading
import time

import pytest

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from dispatch.services.decisions import (
    AGAIN,
    DONE,
    CoolDown,
    RetryAfter,
    ShopDown,
    StopJob,
)
from dispatch.services.dispatcher import Call, Dispatcher, Job
from dispatch.services.pace import LocalPace, PacingSettings, slot_seconds
from dispatch.services.shared_pace import SharedPace
from shopee import api, errors
from shopee.client import get_client
from shops.models import Shop
from tests.factories import ShopTokenFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v2/voucher/get_voucher_list"


class ListJob(Job):
    """Asks each shop's first list page `calls` times; decides with `decide(outcome)`."""

    actor_label = "dispatch test"

    def __init__(self, decide=None):
        self.decide = decide or (lambda outcome: DONE)
        self.outcomes, self.unavailable_tasks, self.rows_at_send = [], [], []
        self.attempts = {}

    def prepare(self, task):
        shop, _ = task
        self.attempts[task] = self.attempts.get(task, 0) + 1
        return Call(
            task=task,
            shop=shop,
            api=api.get_voucher_list(status="all"),
            attempt=self.attempts[task],
            before_send=self.before_send,
        )

    def before_send(self, row):
        self.rows_at_send.append(ShopeeCall.objects.get(pk=row.pk).outcome)

    def answered(self, outcome):
        self.outcomes.append(outcome)
        return self.decide(outcome)

    def unavailable(self, task, shop_key, error):
        self.unavailable_tasks.append((task, str(error)))


def dispatch(job, tasks, **config):
    settings = PacingSettings.from_settings()
    settings = PacingSettings(**{**settings.__dict__, **config})
    dispatcher = Dispatcher(job, get_client(), settings)
    for task in tasks:
        dispatcher.add(task[0].pk, task)
    dispatcher.run()
    return dispatcher


def test_each_call_is_audited_pending_before_it_leaves_and_completed_after(sandbox):
    shops = [ShopTokenFactory().shop for _ in range(3)]
    sandbox.mirror()
    job = ListJob()

    dispatch(job, [(shop, n) for shop in shops for n in range(2)])

    assert job.rows_at_send == [CallOutcome.PENDING] * 6
    assert len(sandbox.calls(LIST)) == 6
    rows = ShopeeCall.objects.filter(endpoint=LIST)
    assert [row.outcome for row in rows] == [CallOutcome.SUCCESS] * 6
    assert {row.actor_username for row in rows} == {"dispatch test"}
    assert all(outcome.ok and outcome.consequence is None for outcome in job.outcomes)


def test_retry_after_sends_the_task_again_after_the_delay(sandbox):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    job = ListJob(lambda outcome: RetryAfter(0.3) if outcome.call.attempt < 3 else DONE)

    dispatch(job, [(shop, 0)])

    times = [call["time"] for call in sandbox.calls(LIST)]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.25
    assert list(ShopeeCall.objects.order_by("id").values_list("attempt", flat=True)) == [1, 2, 3]


def test_a_failure_comes_with_its_consequence_and_one_audit_row_per_attempt(sandbox):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 503}])
    job = ListJob(lambda outcome: AGAIN if outcome.call.attempt < 4 else DONE)

    dispatch(job, [(shop, 0)])

    assert [outcome.consequence for outcome in job.outcomes] == [errors.RETRY] * 4
    assert len(sandbox.calls(LIST)) == ShopeeCall.objects.count() == 4
    assert set(ShopeeCall.objects.values_list("outcome", flat=True)) == {CallOutcome.FAILED}


def test_shop_down_settles_the_shops_other_tasks_without_a_call(sandbox):
    down, other = ShopTokenFactory().shop, ShopTokenFactory().shop
    sandbox.mirror()

    def decide(outcome):
        return ShopDown(RuntimeError("shop is closed")) if outcome.call.shop == down else DONE

    job = ListJob(decide)
    dispatch(job, [(down, n) for n in range(4)] + [(other, n) for n in range(2)], concurrency=1)

    calls = sandbox.calls(LIST)
    assert [c["shop_id"] for c in calls].count(down.shop_id) == 1
    assert [c["shop_id"] for c in calls].count(other.shop_id) == 2
    assert sorted(task[1] for task, _ in job.unavailable_tasks) == [1, 2, 3]
    assert {why for _, why in job.unavailable_tasks} == {"shop is closed"}


def test_stop_job_starts_no_further_call(sandbox):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    job = ListJob(lambda outcome: StopJob("configuration"))

    dispatcher = dispatch(job, [(shop, n) for n in range(5)], concurrency=1)

    assert len(sandbox.calls(LIST)) == 1
    assert len(list(dispatcher.pending())) == 4  # left to the job, not sent


def test_a_rejected_token_is_refreshed_once_and_the_call_sent_again(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    token.access_token = "1" * 32  # Shopee does not know it; the refresh token is good
    token.save()
    job = ListJob(lambda outcome: AGAIN if outcome.send_again else DONE)

    dispatch(job, [(token.shop, 0)])

    assert [c["path"] for c in sandbox.calls()] == [LIST, api.ACCESS_TOKEN_GET, LIST]
    first, second = job.outcomes
    assert first.consequence == errors.REFRESH and first.send_again
    assert second.ok


def test_an_authorization_over_flags_the_shop(sandbox):
    token = ShopTokenFactory()
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": LIST, "kind": "shopee_error", "error": "shop_no_linked", "times": 1}]
    )
    job = ListJob()

    dispatch(job, [(token.shop, 0)])

    [outcome] = job.outcomes
    assert outcome.consequence == errors.REAUTHORIZE
    assert outcome.shop_down is outcome.error
    assert Shop.objects.get(pk=token.shop.pk).needs_reauth


def test_a_rate_limit_cools_the_shop_down(sandbox, settings):
    settings.END_RUN_RETRY_BASE_SECONDS = 0.4
    settings.END_RUN_RETRY_MAX_SECONDS = 0.4
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": LIST, "kind": "shopee_error", "error": "error_rate_limit", "times": 1}]
    )
    job = ListJob(lambda outcome: CoolDown() if not outcome.ok else DONE)

    dispatch(job, [(shop, 0)])

    first, second = [call["time"] for call in sandbox.calls(LIST)]
    assert job.outcomes[0].consequence == errors.BACK_OFF
    assert second - first >= 0.2  # a backoff of 0.2-0.4 s


def test_shared_pace_never_hands_a_slot_to_two_processes(db):
    """Two paces (as two processes would have) reserving one shop's slots through the
    database: every slot distinct, a shop's slots at least 1/rps apart."""
    first = SharedPace(shop_rps=10, global_rps=1000, partner="1")
    second = SharedPace(shop_rps=10, global_rps=1000, partner="1")
    slots = []
    for _ in range(10):
        slots.append(first.take(7, want=5))
        slots.append(second.take(7, want=5))
    slots.sort()
    gaps = [later - earlier for earlier, later in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= slot_seconds(10) - 1e-6
    assert slots[-1] - slots[0] >= 19 * 0.1


def test_shared_pace_cool_down_holds_for_every_process(db):
    first = SharedPace(shop_rps=10, global_rps=1000, partner="1")
    second = SharedPace(shop_rps=10, global_rps=1000, partner="1")
    first.take(8)
    first.cool_down(8, 5.0)
    assert second.take(8) >= time.time() + 4.5
    assert first.next_slot(8) >= time.time() + 4.5


def test_shared_pace_keeps_the_partners_pace(db):
    pace = SharedPace(shop_rps=1000, global_rps=20, partner="2")
    slots = sorted(pace.take(shop) for shop in range(40))
    assert slots[-1] - slots[0] >= 39 / 20 - 0.06  # the partner's pace, not the shops'


def test_local_pace_spaces_a_shop():
    clock = [100.0]
    pace = LocalPace(shop_rps=5, global_rps=100, clock=lambda: clock[0])
    pace.lateness.bound = 0.0
    assert pace.take("a") == 100.0
    assert pace.next_slot("a") == pytest.approx(100.0 + slot_seconds(5))
    assert pace.next_slot("b") == pytest.approx(100.01)
    pace.lateness.observe(0.05)  # requests leave up to 50 ms late: slots are that much longer
    assert pace.take("b") == pytest.approx(100.01)
    assert pace.next_slot("b") == pytest.approx(100.01 + slot_seconds(5) + 0.05)


def test_two_dispatchers_at_once_keep_one_shops_pace(sandbox, transactional_db, settings):
    """Two jobs over one shop at the same time (two threads, each its own connection, as two
    workers would be): the shop never sees more than its pace in any second."""
    settings.END_RUN_SHOP_RPS = 5
    shop = ShopTokenFactory().shop
    sandbox.mirror()

    def work():
        try:
            dispatch(ListJob(), [(shop, n) for n in range(6)])
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    times = sorted(call["time"] for call in sandbox.calls(LIST))
    assert len(times) == 12
    assert max(sum(1 for t in times if start <= t < start + 1) for start in times) <= 5


class OutageJob(ListJob):
    """Records what the dispatcher says of Shopee's outages."""

    def __init__(self, decide=None):
        super().__init__(decide)
        self.outages = []

    def outage(self, since):
        self.outages.append(since)


def test_when_shopee_fails_every_call_the_job_waits_with_one_probe_at_a_time(sandbox):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    # Down for 8 calls: 4 open the circuit, then probes, spaced, until one is answered.
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 503, "times": 8}])
    job = OutageJob(lambda outcome: DONE if outcome.ok else AGAIN)

    dispatch(
        job,
        [(shop, n) for n in range(10)],
        outage_calls=4,
        outage_probe_seconds=0.3,
        concurrency=1,
    )

    times = [call["time"] for call in sandbox.calls(LIST)]
    assert len(times) == 18  # 8 failed (4 before the wait, 4 probes), then the 10 answered
    probes = times[4:9]  # each probe, and the first call answered, a probe apart
    assert min(b - a for a, b in zip(probes, probes[1:], strict=False)) >= 0.25
    assert [outcome.outage for outcome in job.outcomes[:9]] == [False] * 3 + [True] * 5 + [False]
    assert len(job.outages) == 2 and job.outages[0] is not None and job.outages[1] is None
    assert ShopeeCall.objects.count() == 18  # one audit row per call, probes included


def test_a_wait_longer_than_the_longest_stops_the_job(sandbox):
    shop = ShopTokenFactory().shop
    sandbox.mirror()
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 503}])
    job = OutageJob(lambda outcome: DONE if outcome.ok else AGAIN)

    dispatcher = dispatch(
        job,
        [(shop, n) for n in range(10)],
        outage_calls=3,
        outage_probe_seconds=0.2,
        outage_max_wait_seconds=0.7,
        concurrency=1,
    )

    assert dispatcher.stopping
    assert 3 < len(sandbox.calls(LIST)) <= 3 + 5  # probes only, until the longest wait
    assert len(list(dispatcher.pending())) >= 9
