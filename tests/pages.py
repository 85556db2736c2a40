"""Driving the admin's "End selected vouchers" flow the way a browser does."""

import html as html_lib
import re
import time

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from runs.models import ACTIVE_RUN_STATUSES, EndRun
from runs.services.engine import run_process

CHANGELIST = reverse("admin:vouchers_voucher_changelist")
END_URL = reverse("admin:vouchers_voucher_end")


def ask_to_end(client, vouchers, url=CHANGELIST):
    """Select `vouchers` on the changelist and run the action: returns the confirmation page."""
    return client.post(
        url,
        {
            "action": "end_selected_vouchers",
            ACTION_CHECKBOX_NAME: [voucher.pk for voucher in vouchers],
            "index": 0,
        },
    )


def confirm(client, confirmation):
    """Post the confirmation page's form, as its "Yes" button does; follow the redirect."""
    html = confirmation.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form, "the confirmation page has no form"
    action, body = form.groups()
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
    data = {}
    for name, value in fields:
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value.replace("&amp;", "&"))
    return client.post(action, data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def text_of(response):
    """The page's visible text, tags removed and white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def finish_runs(timeout=30.0):
    """Play the worker: process every active run until it is done (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while True:
        active = list(
            EndRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).values_list("pk", flat=True)
        )
        if not active:
            return
        assert time.monotonic() < deadline, "runs did not finish in time"
        for run_id in active:
            run_process(run_id=run_id)
        time.sleep(0.01)
