"""Failures in plain words: a run's page (and its mail) says first what went wrong as staff
would say it, with Shopee's error, HTTP status, message and request_id one click away."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from runs.models import EndRun, RunStatus
from runs.services.create import run_create
from runs.services.wording import reason_in_words
from shopee.wording import failure_in_words, failure_text_in_words
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.pages import finish_runs, text_of
from tests.smtp import smtp  # noqa: F401 - fixture
from vouchers.models import Voucher
from vouchers.services.kinds.voucher import SKIP_NOT_LIVE, SKIP_UPCOMING

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"
LIST = "/api/v2/voucher/get_voucher_list"
REFUSAL = "The Voucher created in Shopee admin/Shop Game can't be updated"
# What an engineer reads, not a merchandiser: never the first thing on the page.
JARGON = re.compile(
    r"not JSON|no_answer|error_server|HTTP \d{3}|request_id|\(timeout\)|Gave up after|"
    r"voucher\.operate_voucher_permission_error|error_sign|dropped before an answer"
)


def page(client, run):
    return client.get(reverse("admin:runs_endrun_change", args=[run.pk]))


def first_sight(response):
    """The page's visible text before anyone opens a <details> element (its summary shows)."""
    html = re.sub(
        r"<details\b[^>]*>\s*<summary>(.*?)</summary>.*?</details>",
        r" \1 ",
        response.content.decode(),
        flags=re.S,
    )
    return text_of(type("Page", (), {"content": html.encode()})())


def details_of(response):
    return " ".join(re.findall(r"<details\b.*?</details>", response.content.decode(), re.S))


def ended_with(sandbox, user, fault, *, attempts=3, vouchers=1, settings):
    settings.END_RUN_MAX_ATTEMPTS = attempts
    VoucherFactory.create_batch(vouchers, shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults([{"path": END, **fault}])
    run = run_create(vouchers=Voucher.objects.all(), actor=user, selection="all")
    finish_runs()
    return EndRun.objects.get(pk=run.pk)


CASES = [
    pytest.param(
        {"kind": "http_status", "status": 502, "content_type": "text/html", "body": "<h1>502</h1>"},
        "Shopee's server failed; tried 3 times.",
        ["Shopee answered HTTP 502 with a body that is not JSON.", "no_answer", "502"],
        id="html-502",
    ),
    pytest.param(
        {"kind": "shopee_error", "error": "error_server", "message": "Internal error"},
        "Shopee's server failed; tried 3 times.",
        ["error_server", "Internal error"],
        id="error-server",
    ),
    pytest.param(
        {"kind": "hang", "hang_seconds": 2},
        "Shopee did not answer in time; tried 3 times.",
        ["No answer from Shopee within 1 s (timeout).", "no_answer"],
        id="timeout",
    ),
    pytest.param(
        {"kind": "drop"},
        "Shopee could not be reached; tried 3 times.",
        ["The connection to Shopee failed or was dropped before an answer."],
        id="dropped",
    ),
    pytest.param(
        {
            "kind": "shopee_error",
            "error": "voucher.operate_voucher_permission_error",
            "message": REFUSAL,
        },
        f"Shopee refused: {REFUSAL}",
        ["voucher.operate_voucher_permission_error"],
        id="refused",
    ),
]


@pytest.mark.parametrize(("fault", "words", "detail"), CASES)
def test_a_failure_reads_in_plain_words_first_with_the_detail_one_click_away(
    merch_client, merchandiser, sandbox, settings, fault, words, detail
):
    run = ended_with(sandbox, merchandiser, fault, settings=settings)
    response = page(merch_client, run)
    seen = first_sight(response)

    assert words in seen
    # Both tables (the run's vouchers, and refused or failed) say it in words first.
    assert seen.count(words) == 2
    hidden = details_of(response)
    for text in detail:
        assert text in hidden
    assert "Technical detail" in seen


@pytest.mark.parametrize(("fault", "words", "detail"), CASES)
def test_technical_jargon_is_never_the_first_thing_staff_see(
    merch_client, merchandiser, sandbox, settings, fault, words, detail
):
    run = ended_with(sandbox, merchandiser, fault, settings=settings)
    response = page(merch_client, run)

    assert not JARGON.search(first_sight(response)), JARGON.search(first_sight(response))
    # ... and it is still there, one click away.
    assert JARGON.search(details_of(response))


def test_the_detail_has_the_http_status_and_request_id_of_the_last_call(
    merch_client, merchandiser, sandbox, settings
):
    fault = {"kind": "shopee_error", "error": "error_server", "message": "Internal error"}
    run = ended_with(sandbox, merchandiser, fault, settings=settings)
    item = run.items.get()
    hidden = details_of(page(merch_client, run))

    assert item.state == "failed" and item.attempts == 3
    assert "<dt>HTTP status</dt><dd>" in hidden
    assert item.request_id and item.request_id in hidden


def test_a_shop_that_could_not_be_read_says_why_in_words(
    merch_client, merchandiser, sandbox, settings
):
    VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    sandbox.control.set_faults(
        [{"path": LIST, "kind": "http_status", "status": 503, "body": "down"}]
    )
    run = run_create(vouchers=Voucher.objects.all(), actor=merchandiser, selection="all")
    finish_runs()
    response = page(merch_client, EndRun.objects.get(pk=run.pk))
    seen = first_sight(response)

    assert "at Shopee: Shopee's server failed. Its vouchers failed" in seen
    assert not JARGON.search(seen), JARGON.search(seen)
    assert "HTTP 503" in details_of(response)


def test_a_run_stopped_by_our_configuration_says_so_in_words(
    merch_client, merchandiser, sandbox, settings
):
    VoucherFactory(shop=ShopTokenFactory().shop)
    sandbox.mirror()
    run = run_create(vouchers=Voucher.objects.all(), actor=merchandiser, selection="all")
    settings.SHOPEE_PARTNER_KEY = "wrong-key"
    finish_runs()
    run = EndRun.objects.get(pk=run.pk)
    response = page(merch_client, run)
    seen = first_sight(response)

    assert run.status == RunStatus.STOPPED
    assert "Shopee refused shopadmin's settings (partner id, key or clock)" in seen
    assert not JARGON.search(seen), JARGON.search(seen)
    assert "error_sign" in details_of(response)


def test_the_page_reads_the_call_log_once_however_many_items_failed(
    merch_client, merchandiser, sandbox, settings
):
    fault = {"kind": "shopee_error", "error": "error_server", "message": "Internal error"}

    def queries(vouchers):
        EndRun.objects.all().delete()
        Voucher.objects.all().delete()
        run = ended_with(
            sandbox, merchandiser, fault, attempts=1, vouchers=vouchers, settings=settings
        )
        assert run.items.filter(state="failed").count() == vouchers
        with CaptureQueriesContext(connection) as captured:
            assert page(merch_client, run).status_code == 200
        return len(captured)

    assert queries(2) == queries(6)


@pytest.mark.django_db(transaction=True)
def test_the_run_mail_puts_the_words_first(sandbox, smtp, merchandiser, settings):  # noqa: F811
    merchandiser.email = "merch@example.com"
    merchandiser.save()
    fault = {"kind": "http_status", "status": 502, "content_type": "text/html", "body": "x"}
    run = ended_with(sandbox, merchandiser, fault, settings=settings)
    [mail] = smtp.to("merch@example.com")
    item = run.items.get()

    assert f"- {item.voucher_code} (" in mail.body
    body = mail.body.replace("\r\n", "\n")
    assert "Failed: Shopee's server failed; tried 3 times.\n  Detail: error no_answer" in body
    assert "Shopee answered HTTP 502 with a body that is not JSON." in body  # the detail


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            {"error": "error_rate_limit", "attempts": 8},
            "Shopee asked us to slow down; tried 8 times.",
        ),
        ({"error": "error_server", "attempts": 1}, "Shopee's server failed; tried once."),
        (
            {"error": "", "http_status": 503, "attempts": 2},
            "Shopee's server failed; tried 2 times.",
        ),
        (
            {
                "error": "shop_unavailable",
                "message": "Shop unavailable: Shop A (1) needs re-authorization by the seller.",
            },
            "The shop's authorization has ended: re-authorize it.",
        ),
        (
            {"error": "error_auth", "message": "Shop unavailable: Invalid refresh_token."},
            "The shop's authorization has ended: re-authorize it.",
        ),
        (
            {
                "error": "shop_unavailable",
                "message": "Shop unavailable: Shop A (1) has no access token: connect it",
            },
            "The shop is not connected to shopadmin: connect it first.",
        ),
        ({"error": "", "refused": True}, "Shopee refused it without saying why."),
        (
            {"error": "", "message": "The voucher record was deleted."},
            "The voucher record was deleted.",
        ),
    ],
)
def test_each_cause_has_its_sentence(kwargs, words):
    assert failure_in_words(**kwargs) == words


def test_a_failure_kept_as_text_reads_in_words():
    text = "error_auth: Invalid refresh_token. | HTTP 403 | request_id abc"
    assert failure_text_in_words(text) == "The shop's authorization has ended: re-authorize it."


def test_a_skip_reason_with_the_read_time_is_translated_in_its_parts():
    reason = f"{SKIP_UPCOMING} (Shopee's list read at 2026-12-07 03:13:10 UTC)"
    assert reason_in_words(reason) == reason  # English: as recorded
    with translation.override("th"):
        shown = reason_in_words(reason)
        assert shown.startswith(translation.gettext(SKIP_UPCOMING))
        assert "2026-12-07 03:13:10 UTC" in shown
    not_live = SKIP_NOT_LIVE.format(at="2026-12-07 03:13:10 UTC")
    assert reason_in_words(not_live) == not_live
    assert reason_in_words("Something of our own.") == "Something of our own."
