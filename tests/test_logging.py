"""Structured logs: JSON lines with the ids of what they are about, WARNING for a failed Shopee
call (and no secret), a line when a run starts, is taken over and ends, times in UTC."""

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
from logging.config import DictConfigurator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import ShopeeCall
from audit.services.calls import shopee_call
from core.logcontext import ContextFilter, log_context
from runs.models import EndRun, RunStatus
from runs.services.create import run_create
from runs.services.status_log import run_slice_logged
from shopee import api
from shopee.client import ShopAuth, get_client
from shopee.errors import ShopeeError
from tests.conftest import PARTNER_KEY
from tests.factories import ShopTokenFactory, UserFactory, VoucherFactory
from vouchers.models import Voucher

ROOT = Path(__file__).resolve().parent.parent
END = "/api/v2/voucher/end_voucher"


@pytest.fixture
def json_lines():
    """The JSON lines the production configuration (LOG_FORMAT=json) writes, as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = dict(settings.LOGGING["formatters"]["json"])
    handler.setFormatter(DictConfigurator({"version": 1}).configure_formatter(config))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def end_voucher(voucher, actor):
    return shopee_call(
        client=get_client(),
        api=api.end_voucher(voucher_id=voucher.voucher_id),
        shop=voucher.shop,
        shop_auth=ShopAuth(voucher.shop.shop_id, voucher.shop.token.access_token),
        voucher=voucher,
        actor=actor,
    )


@pytest.mark.django_db
def test_a_failed_call_is_a_warning_json_line_with_its_ids_and_no_secret(sandbox, json_lines):
    voucher = VoucherFactory()
    token = ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": END, "kind": "shopee_error", "error": "error_server", "status": 500}]
    )
    with log_context(run_id=41), pytest.raises(ShopeeError):
        end_voucher(voucher, UserFactory(username="anna"))
    lines = [line for line in json_lines() if line["level"] == "WARNING"]
    assert len(lines) == 1
    line = lines[0]
    assert line["logger"] == "audit.services.calls"
    assert "end_voucher" in line["message"] and "error_server" in line["message"]
    assert line["shop_id"] == voucher.shop.shop_id
    assert line["voucher_id"] == voucher.voucher_id
    assert line["actor"] == "anna"
    assert line["run_id"] == 41
    assert len(line["request_id"]) >= 16
    moment = dt.datetime.fromisoformat(line["timestamp"])
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs(moment - timezone.now()) < dt.timedelta(minutes=1)
    text = json.dumps(json_lines())
    for secret in (PARTNER_KEY, token.access_token, token.refresh_token, "sign="):
        assert secret not in text


@pytest.mark.django_db
def test_a_dropped_connection_is_a_warning_too(sandbox, json_lines):
    voucher = VoucherFactory()
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, "kind": "drop"}])
    with pytest.raises(ShopeeError):
        end_voucher(voucher, UserFactory())
    (line,) = [line for line in json_lines() if line["level"] == "WARNING"]
    assert "failed" in line["message"] and line["voucher_id"] == voucher.voucher_id


@pytest.mark.django_db
def test_a_business_refusal_is_info(sandbox, json_lines):
    voucher = VoucherFactory()
    ShopTokenFactory(shop=voucher.shop)
    sandbox.mirror(missing=[voucher])  # Shopee does not know it: a refusal in its words
    with pytest.raises(ShopeeError):
        end_voucher(voucher, UserFactory())
    levels = {line["level"] for line in json_lines() if line["logger"] == "audit.services.calls"}
    assert levels == {"INFO"}


@pytest.mark.django_db
def test_a_run_logs_its_start_takeover_and_stop(json_lines):
    voucher = VoucherFactory()
    actor = UserFactory(username="bo")
    run = run_create(vouchers=Voucher.objects.all(), actor=actor, selection="x")
    EndRun.objects.filter(pk=run.pk).update(
        lease_owner="dead", lease_until=timezone.now() - dt.timedelta(seconds=5)
    )

    def stops(*, run_id, watchdog):
        logging.getLogger("runs.services.engine").info("inside the slice")
        EndRun.objects.filter(pk=run_id).update(
            status=RunStatus.STOPPED, stop_reason="SHOPEE_PARTNER_KEY is not set."
        )
        return "stopped"

    assert run_slice_logged(run_id=run.pk, watchdog=True, process=stops) == "stopped"
    lines = json_lines()
    assert all(line["run_id"] == run.pk and line["actor"] == "bo" for line in lines)
    said = {(line["level"], line["message"].split(":")[0]) for line in lines}
    assert ("INFO", "Run started") in said
    assert ("WARNING", "Run taken over") in said
    assert ("ERROR", "Run stopped") in said
    assert voucher.pk


@pytest.mark.django_db
def test_a_finished_run_is_one_info_line(json_lines):
    VoucherFactory()
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="x")

    def finishes(*, run_id, watchdog):
        EndRun.objects.filter(pk=run_id).update(status=RunStatus.FINISHED)
        return "finished"

    run_slice_logged(run_id=run.pk, watchdog=False, process=finishes)
    messages = [line["message"] for line in json_lines()]
    assert messages == ["Run started: x", "Run finished"]


def test_context_nests_and_restores():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    with log_context(run_id=1, actor="a"):
        with log_context(shop_id=2):
            ContextFilter().filter(record)
        outer = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
        ContextFilter().filter(outer)
    assert (record.run_id, record.shop_id, record.actor) == (1, 2, "a")
    assert not hasattr(outer, "shop_id") and outer.run_id == 1
    with pytest.raises(TypeError):
        with log_context(password="x"):
            pass


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_format_setting_picks_json_or_text_lines_in_utc(log_format):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopadmin.settings",
        "LOG_FORMAT": log_format,
        "TIME_ZONE": "Asia/Singapore",
    }
    code = (
        "import logging; from core.logcontext import log_context\n"
        "with log_context(run_id=7): logging.getLogger('vouchers.x').warning('hello')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = result.stderr.strip().splitlines()[-1]
    if log_format == "json":
        fields = json.loads(line)
        assert fields["level"] == "WARNING" and fields["message"] == "hello"
        assert fields["run_id"] == 7
        assert fields["timestamp"].endswith("+00:00")
    else:
        assert line.endswith("WARNING vouchers.x hello run_id=7")
        assert line.split()[0].endswith("+00:00")


def test_an_unknown_log_format_stops_start_up():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shopadmin.settings", "LOG_FORMAT": "xml"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "LOG_FORMAT is json or text" in result.stderr


@pytest.mark.django_db
def test_a_failed_call_of_a_run_names_the_run_without_a_context(json_lines):
    """The engine sends from its own threads (no context there): the run id comes from the row."""
    from audit.services.calls import call_log_finish
    from shopee.errors import ShopeeTransientError

    voucher = VoucherFactory()
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="x")
    row = ShopeeCall.objects.create(
        started_at=timezone.now(),
        endpoint=END,
        method="POST",
        batch_id=run.public_id,
        shop_shopee_id=voucher.shop.shop_id,
        voucher_shopee_id=voucher.voucher_id,
        actor_username="system",
    )
    call_log_finish(row, error=ShopeeTransientError("No answer from Shopee within 1 s (timeout)."))
    (line,) = json_lines()
    assert line["level"] == "WARNING"
    assert (line["run_id"], line["voucher_id"]) == (run.pk, voucher.voucher_id)
    assert "request_id" not in line  # none: Shopee never answered


@pytest.mark.django_db
def test_a_slice_that_fails_still_logs_the_start_and_the_failure(json_lines):
    VoucherFactory()
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="x")

    def fails(*, run_id, watchdog):
        EndRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING)
        raise RuntimeError("the engine broke")

    with pytest.raises(RuntimeError):
        run_slice_logged(run_id=run.pk, watchdog=False, process=fails)
    said = [(line["level"], line["message"]) for line in json_lines()]
    assert said == [("ERROR", "Run slice failed (watchdog=False)"), ("INFO", "Run started: x")]
    assert "the engine broke" in json_lines()[0]["exc_info"]


@pytest.mark.django_db
def test_a_canceled_run_is_one_line(json_lines):
    from runs.services.control import run_cancel

    VoucherFactory()
    run = run_create(vouchers=Voucher.objects.all(), actor=UserFactory(), selection="x")
    json_lines()  # what creating it logged, if anything
    run_cancel(run=run)
    (line,) = [line for line in json_lines() if line["logger"] == "vouchers.runs"]
    assert (line["level"], line["message"]) == ("INFO", "Run canceled: 1 pending item(s) canceled")
    assert line["run_id"] == run.pk
