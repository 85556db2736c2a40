"""What a job decides about one outcome, as a small value the dispatcher applies.

A job's handler never sleeps, requeues or touches the pace itself: it records what the outcome
means for its own rows and returns one of these.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Done:
    """Nothing more to send for this task."""


@dataclass(frozen=True)
class RetryAfter:
    """Send this task again (its next call) after `seconds`; 0 means as soon as the pace allows."""

    seconds: float = 0.0


@dataclass(frozen=True)
class CoolDown:
    """Shopee asked us to slow down: the shop cools down for every job and process, then this
    task is sent again."""


@dataclass(frozen=True)
class ShopDown:
    """No call can be made for this shop in this job: its remaining tasks are handed to the
    job's `unavailable()` with `error`, without a call."""

    error: Exception


@dataclass(frozen=True)
class StopJob:
    """Stop starting calls (a configuration error, a cancel): answers in flight are still
    handled, tasks not yet sent stay with the job."""

    reason: str = ""


DONE = Done()
AGAIN = RetryAfter(0.0)
Decision = Done | RetryAfter | CoolDown | ShopDown | StopJob
