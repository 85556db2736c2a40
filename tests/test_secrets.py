"""The partner key, tokens and signs never reach a log, an audit row, a page or the CSV."""

import datetime as dt
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from runs.models import EndRun
from shops.models import ShopToken
from tests.conftest import PARTNER_KEY
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.jobs.follow import finish_jobs
from tests.pages import ask_to_end, confirm, finish_runs

pytestmark = pytest.mark.django_db

END = "/api/v2/voucher/end_voucher"


def test_a_whole_flow_leaks_no_secret(merch_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    soon = timezone.now() + dt.timedelta(minutes=5)  # refreshed before its first call
    tokens = [ShopTokenFactory(access_token_expires_at=soon), ShopTokenFactory()]
    vouchers = [VoucherFactory(shop=token.shop) for token in tokens for _ in range(3)]
    sandbox.mirror()
    first_tokens = {t.access_token for t in tokens} | {t.refresh_token for t in tokens}
    pages = []

    sync = merch_client.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "sync_vouchers", "_selected_action": [t.shop.pk for t in tokens], "index": 0},
        follow=True,
    )
    pages.append(sync)
    finish_jobs()  # the sync runs in the background; its page once done
    pages.append(merch_client.get(sync.redirect_chain[-1][0]))
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "kind": "http_status",
                "status": 502,
                "content_type": "text/html",
                "times": 1,
                "body": "<html>bad gateway for /api/v2/voucher/end_voucher</html>",
            },
            {"path": END, "kind": "drop", "times": 1},
            {"path": END, "kind": "non_json", "times": 1, "body": "upstream reset"},
            {
                "path": END,
                "kind": "shopee_error",
                "times": 1,
                "error": "invalid_acceess_token",
                "message": "Invalid access_token.",
            },
        ]
    )
    confirmation = ask_to_end(merch_client, vouchers)
    pages += [confirmation, confirm(merch_client, confirmation)]
    finish_runs()
    run = EndRun.objects.get()
    pages.append(merch_client.get(reverse("admin:runs_endrun_change", args=[run.pk])))
    rows = list(ShopeeCall.objects.all())
    assert len(rows) == len(sandbox.calls()) > 8  # one row per request, retries included
    pages.append(merch_client.get(reverse("admin:audit_shopeecall_changelist")))
    for row in rows:
        pages.append(merch_client.get(reverse("admin:audit_shopeecall_change", args=[row.pk])))
    for token in tokens:
        pages.append(merch_client.get(reverse("admin:shops_shop_change", args=[token.shop.pk])))
    pages.append(merch_client.get(reverse("admin:vouchers_voucher_changelist")))
    export = merch_client.get(reverse("admin:audit_shopeecall_export"))
    csv_text = b"".join(export.streaming_content).decode()

    secrets = {PARTNER_KEY} | first_tokens
    for token in ShopToken.objects.all():
        secrets |= {token.access_token, token.refresh_token}
    for shop in sandbox.control.state()["shops"]:
        secrets |= {shop["access_token"], shop["refresh_token"]}
    for call in sandbox.calls():
        secrets.add(call["query"]["sign"])
        secrets.add(call["query"].get("access_token"))
        if isinstance(call["body"], dict):
            secrets.add(call["body"].get("refresh_token"))
    secrets.discard(None)
    assert len(sandbox.calls("/api/v2/auth/access_token/get")) >= 2  # refreshes happened

    haystacks = {
        "log": caplog.text,
        "csv": csv_text,
        "audit rows": repr([ShopeeCall.objects.filter(pk=row.pk).values().get() for row in rows]),
        **{f"page {n}": page.content.decode() for n, page in enumerate(pages)},
    }
    for where, text in haystacks.items():
        for secret in secrets:
            assert secret not in text, f"a secret appears in the {where}"
    assert "Shopee POST /api/v2/voucher/end_voucher" in caplog.text  # the log did record calls
