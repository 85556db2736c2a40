"""How the dispatcher records Shopee's answers and acts on them (a part of `Dispatcher`, kept
apart to be read alone): the audit row completed, the circuit told, a rejected token refreshed
or its shop flagged, and the job's decision applied: done, retry after a delay, cool the shop
down, the shop unavailable, or stop. Runs on the dispatcher's thread only, never in a pool
thread; answers that touch a token are recorded outside any transaction (a refresh calls
Shopee)."""

import datetime as dt

from django.db import transaction

from audit.services.calls import call_log_finish, call_log_finish_many
from dispatch.services.circuit import CLOSED, OPENED
from dispatch.services.decisions import CoolDown, Decision, Done, RetryAfter, ShopDown, StopJob
from dispatch.services.job import Outcome
from dispatch.services.pace import backoff_seconds
from shopee import errors
from shops.services.tokens import shop_auth_failed


class Answers:
    """Mixed into `Dispatcher`, whose fields (job, client, config, pace, circuit, shops,
    stopping, the credentials and rate-limit counts per shop) and `add()` it uses."""

    def _answered_many(self, answers):
        """Record answers: those that touch a shop's token one by one (a refresh calls Shopee:
        never inside a transaction), the others together in one transaction."""
        together = []
        for call, result, error in answers:
            if error is not None and error.kind == errors.AUTHORIZATION:
                self._answered(call, result, error)
            else:
                together.append((call, result, error))
        if together:
            with transaction.atomic():
                self._recorded(together)

    def _recorded(self, answers) -> bool:
        """Record answers that touch no token, in the caller's transaction; whether every
        decision only finished its task or queued it again (nothing that stops a shop or the
        job)."""
        # The audit rows first, in one statement: what the job then does with an answer finds
        # its row complete, as when each was recorded alone.
        call_log_finish_many([(call.row, result, error) for call, result, error in answers])
        outcomes = [self._outcome(*answer) for answer in answers]
        decisions = self.job.answered_many(outcomes)
        for outcome, decision in zip(outcomes, decisions, strict=True):
            self._decided(outcome, decision)
        return all(isinstance(decision, Done | RetryAfter) for decision in decisions)

    def _circuit(self, error) -> None:
        """Tell the job when Shopee goes down for everyone, and when it answers again."""
        change = self.circuit.observe(error)
        self.down_since = self.circuit.down_since
        if change == OPENED:
            self.job.outage(dt.datetime.fromtimestamp(self.down_since, tz=dt.UTC))
        elif change == CLOSED:
            self.job.outage(None)

    def _answered(self, call, result, error):
        call_log_finish(call.row, result=result, error=error)
        outcome = self._outcome(call, result, error)
        self._decided(outcome, self.job.answered(outcome))

    def _outcome(self, call, result, error) -> Outcome:
        """The answer as the job reads it: the circuit told, a rejected token refreshed (a
        call to Shopee: only for an answer recorded alone) or its shop flagged."""
        shop_key = call.shop.pk
        self._circuit(error)
        outcome = Outcome(call, result, error, outage=self.down_since is not None)
        if error is None:
            self._rate_limited.pop(shop_key, None)
        else:
            outcome.consequence = errors.consequence(error)
            if error.kind == errors.AUTHORIZATION:
                self._credentials.pop(shop_key, None)
                down = shop_auth_failed(
                    shop=call.shop,
                    error=error,
                    generation=call.generation,
                    client=self.client,
                    actor=self.job.actor,
                    actor_label=self.job.actor_label,
                )
                outcome.send_again, outcome.shop_down = down is None, down
        return outcome

    def _decided(self, outcome, decision) -> None:
        call, shop_key = outcome.call, outcome.call.shop.pk
        if outcome.consequence == errors.BACK_OFF and not isinstance(decision, CoolDown):
            self._cool_down(shop_key)
        self._apply(shop_key, call.task, decision)

    def _apply(self, shop_key, task, decision: Decision) -> None:
        if isinstance(decision, Done):
            return
        if isinstance(decision, RetryAfter):
            self.add(shop_key, task, decision.seconds)
        elif isinstance(decision, CoolDown):
            self._cool_down(shop_key)
            self.add(shop_key, task)
        elif isinstance(decision, ShopDown):
            self.shops[shop_key] = decision.error
        elif isinstance(decision, StopJob):
            self.stopping = True
        else:
            raise TypeError(f"not a decision: {decision!r}")

    def _cool_down(self, shop_key):
        self._rate_limited[shop_key] += 1
        pause = backoff_seconds(
            self._rate_limited[shop_key], base=self.config.retry_base, cap=self.config.retry_max
        )
        self.pace.cool_down(shop_key, pause)
