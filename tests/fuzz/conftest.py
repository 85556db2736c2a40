"""The fuzz suite's Hypothesis profiles and fixtures.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default) runs a bounded number of examples per
target, derandomized so that every CI run tries the same inputs; ``long`` runs 2,000 examples a
target with fresh randomness, keeping failures in ``var/hypothesis/examples`` to replay them
first.

Targets take pytest-django fixtures (a database, the sandbox, a logged-in client) once per test,
not once per example, on purpose: every example runs inside a savepoint that is rolled back
(:func:`tests.fuzz.checks.rolled_back`), so each starts from the same database.
"""

import os
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.factories import MERCHANDISER_PERMISSIONS, UserFactory

SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
HYPOTHESIS_HOME = Path(__file__).resolve().parents[2] / "var" / "hypothesis"
set_hypothesis_home_dir(str(HYPOTHESIS_HOME))  # Hypothesis's caches under var/, not .hypothesis/

settings.register_profile(
    "ci",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    database=DirectoryBasedExampleDatabase(str(HYPOTHESIS_HOME / "examples")),
    suppress_health_check=SUPPRESSED,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def budget(ci_examples: int):
    """`@budget(n)`: n examples under the ci profile; the profile's number under the others."""
    if PROFILE == "ci":
        return settings(max_examples=ci_examples)
    return settings()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made per test: hash their passwords quickly (the fuzz suite logs in by force)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    """A merchandiser (may end vouchers) who also sees the runs list."""
    return UserFactory(
        username="fuzzer", permissions=[*MERCHANDISER_PERMISSIONS, "runs.view_endrun"]
    )


@pytest.fixture
def staff_client(staff):
    """A logged-in client that answers a server error as a response (with its traceback kept in
    ``response.exc_info``) instead of raising it, as a browser would see it."""
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


@pytest.fixture
def superuser_client(db):
    user = UserFactory(username="root", is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Run the target with DEBUG off (production) and on (Django's traceback pages)."""
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def world(staff):
    """A little of everything, the same for every example: two shops with tokens, vouchers in
    each state, a finished run with items in several states, and calls in the log."""
    import datetime as dt

    from django.utils import timezone

    from audit.models import ShopeeCall, ShopeePush
    from audit.models.pushes import PushOutcome
    from runs.models import EndRunItem, ItemState, RunStatus
    from runs.services.create import run_create
    from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
    from vouchers.models import Voucher

    north = ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop
    south = ShopTokenFactory(shop=ShopFactory(name="South", shop_id=7002)).shop
    vouchers = [
        VoucherFactory(shop=north, voucher_id=5_000_000_001, voucher_code="SALE1"),
        VoucherFactory(shop=north, voucher_id=5_000_000_002, voucher_code="SALE2"),
        VoucherFactory(shop=north, voucher_id=5_000_000_003, expired=True),
        VoucherFactory(shop=south, voucher_id=5_000_000_004, upcoming=True),
        VoucherFactory(shop=south, voucher_id=5_000_000_005, voucher_purpose=4),
        VoucherFactory(shop=south, voucher_id=5_000_000_006, voucher_code="SALE1"),
    ]
    run = run_create(vouchers=Voucher.objects.all(), actor=staff, selection="fuzz")
    items = list(EndRunItem.objects.filter(run=run, state=ItemState.PENDING).order_by("pk"))
    EndRunItem.objects.filter(pk=items[0].pk).update(state=ItemState.ENDED, request_id="ab" * 16)
    EndRunItem.objects.filter(pk=items[1].pk).update(
        state=ItemState.REFUSED, error="voucher.end_voucher_status_error", reason="Refused."
    )
    run.status = RunStatus.FINISHED
    run.save(update_fields=["status"])
    from jobs.services.create import shop_job_create

    shop_job_create(kind="sync", actor=staff, shops=[north, south])  # queued: its rows waiting
    now = timezone.now()
    for n, (outcome, error) in enumerate(
        [("success", ""), ("refused", "error_param"), ("failed", ""), ("pending", "")]
    ):
        ShopeeCall.objects.create(
            started_at=now - dt.timedelta(hours=n),
            finished_at=None if outcome == "pending" else now,
            actor=staff,
            actor_username=staff.username,
            shop=north,
            shop_shopee_id=north.shop_id,
            shop_name=north.name,
            voucher=vouchers[0],
            voucher_shopee_id=vouchers[0].voucher_id,
            voucher_code=vouchers[0].voucher_code,
            batch_id=run.public_id,
            endpoint="/api/v2/voucher/end_voucher",
            method="POST",
            outcome=outcome,
            error=error,
            request_id=f"{n:032x}",
            message=f"message {n}",
            request={"query": {"sign": "[redacted]"}},
            response={"error": error},
        )
    push = ShopeePush.objects.create(
        outcome=PushOutcome.values[0], code=3, shop_shopee_id=north.shop_id, detail="fuzz"
    )
    return {"shops": [north, south], "vouchers": vouchers, "run": run, "push": push}
