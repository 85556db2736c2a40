"""What a job hands the dispatcher (`Call`), gets back (`Outcome`), and implements (`Job`)."""

from dataclasses import dataclass

from dispatch.services.decisions import Decision, StopJob
from shopee.api import ApiCall
from shopee.client import ShopeeResult
from shopee.errors import ShopeeError
from shops.models import Shop


@dataclass
class Call:
    """One request a job wants sent for `task`. `before_send(row)` runs in the transaction
    that commits the pending audit row (a job marks its own rows as in flight there);
    `context` is the job's, handed back with the outcome."""

    task: object
    shop: Shop
    api: ApiCall
    voucher: object = None
    attempt: int = 1
    before_send: object = None
    context: object = None
    # Set by the dispatcher: the token's generation, the signed request, its audit row.
    generation: int = 0
    prepared: object = None
    row: object = None
    slot: float = 0.0


@dataclass
class Outcome:
    """What became of a call: Shopee's answer or the failure, and what it means.

    `consequence` is `shopee.errors.consequence()` of the failure (None on success). For an
    authorization failure the dispatcher has already acted: `send_again` when the token was
    refreshed, else `shop_down` holds why no call can be made for the shop.
    """

    call: Call
    result: ShopeeResult | None = None
    error: ShopeeError | None = None
    consequence: str | None = None
    send_again: bool = False
    shop_down: Exception | None = None
    outage: bool = False  # Shopee fails for everyone (the circuit is open): don't give up

    @property
    def ok(self):
        return self.error is None


class Job:
    """A job's handler. Subclasses set the audit context and implement `prepare()`,
    `answered()` and `unavailable()`; `tick()` may stop the job (a lease lost, a cancel)."""

    actor = None
    actor_label = ""
    batch_id = None

    def prepare(self, task) -> Call | Decision:
        raise NotImplementedError

    def prepare_many(self, tasks) -> list:
        """`prepare()` for several tasks (a job may read them in one query)."""
        return [self.prepare(task) for task in tasks]

    def sending(self, calls) -> None:
        """In the transaction that commits the calls' pending audit rows (`call.row`): mark
        the job's own rows as in flight. By default each call's `before_send(row)`."""
        for call in calls:
            if call.before_send is not None:
                call.before_send(call.row)

    def answered(self, outcome: Outcome) -> Decision:
        raise NotImplementedError

    def answered_many(self, outcomes: list[Outcome]) -> list[Decision]:
        """`answered()` for a batch of answers (their audit rows complete), in one
        transaction: a job may write them together. A decision for each, in order."""
        return [self.answered(outcome) for outcome in outcomes]

    def unavailable(self, task, shop_key, error: Exception) -> None:
        """No call can be made for the task's shop (`error` says why): settle the task."""
        raise NotImplementedError

    def tick(self) -> bool:
        """Called about every 0.2 s and before each call; False stops starting calls."""
        return True

    def outage(self, since) -> None:
        """Shopee has failed every call since `since` (a datetime), or answers again (None)."""

    def outage_too_long(self, since) -> Decision:
        """Shopee has failed every call for longer than the longest wait: stop, by default."""
        return StopJob("Shopee has not answered for too long.")
