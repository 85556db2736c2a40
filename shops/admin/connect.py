"""The "Connect a Shopee shop" flow: send the user to Shopee, take the code on return.

The seller may authorize one shop or a main account (all its shops at once).

The callback only accepts what the signed-in user started: a random `state`, kept in their
session for 10 minutes and used once, travels in the redirect URL and must come back unchanged.
A replayed, expired or forged callback gets a clear page and changes nothing.
"""

import secrets
import time
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from core.parsing import NumberError, parse_id
from jobs.admin.jobs import job_url
from jobs.models import JobKind
from jobs.services.create import shop_job_create
from ops.tasks import shop_job_enqueue
from shopee.client import get_client
from shopee.errors import ShopeeConfigError, ShopeeError
from shops.services.connect import (
    main_account_connect,
    shop_authorization_url,
    shop_connect,
)

SESSION_KEY = "shopee_connect"
STATE_LIFETIME_SECONDS = 600


def connect_start(model_admin, request):
    """Redirect to Shopee's authorization page, remembering a one-time state in the session."""
    try:
        client = get_client()
    except ShopeeConfigError as error:
        model_admin.message_user(
            request,
            gettext("Cannot connect a shop: %(error)s") % {"error": error.message},
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:shops_shop_changelist"))
    state = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = {"state": state, "started": time.time()}
    callback = request.build_absolute_uri(reverse("admin:shops_shop_connect_callback"))
    redirect_url = f"{callback}?{urlencode({'state': state})}"
    return HttpResponseRedirect(shop_authorization_url(client=client, redirect_url=redirect_url))


def connect_callback(model_admin, request):
    """Shopee sent the seller back with `code` and `shop_id` (one shop) or `main_account_id`
    (every shop of a main account): exchange and store the tokens, then answer at once with
    the page of a background job that fetches each shop's details and vouchers."""
    started = request.session.pop(SESSION_KEY, None)
    given_state = request.GET.get("state", "")
    expected_state = str(started.get("state")).encode() if started else b""
    if not started or not secrets.compare_digest(expected_state, given_state.encode()):
        return _refused(
            model_admin,
            request,
            gettext(
                "This authorization answer does not belong to a connection you started in this "
                "browser session, or it was already used."
            ),
        )
    if time.time() - float(started.get("started", 0)) > STATE_LIFETIME_SECONDS:
        return _refused(
            model_admin, request, gettext("This connection attempt is more than 10 minutes old.")
        )
    code = request.GET.get("code", "").strip()
    raw_shop_id = request.GET.get("shop_id", "")
    raw_main_account_id = request.GET.get("main_account_id", "")
    if not code or bool(raw_shop_id.strip()) == bool(raw_main_account_id.strip()):
        return _refused(
            model_admin,
            request,
            gettext(
                "Shopee's answer must carry an authorization code and either a shop id or a main "
                "account id."
            ),
        )
    try:
        if raw_shop_id.strip():
            owner = {"shop_id": parse_id(raw_shop_id, label="The shop id in Shopee's answer")}
        else:
            owner = {
                "main_account_id": parse_id(
                    raw_main_account_id, label="The main account id in Shopee's answer"
                )
            }
    except NumberError as error:
        return _refused(model_admin, request, str(error))
    try:
        client = get_client()
        if "shop_id" in owner:
            shops = [shop_connect(client=client, code=code, actor=request.user, **owner)]
            connection = None
        else:
            connection = main_account_connect(client=client, code=code, actor=request.user, **owner)
            shops = connection.shops
    except ShopeeError as error:
        return _refused(
            model_admin,
            request,
            gettext("Shopee refused the authorization code: %(error)s") % {"error": error},
        )
    job = shop_job_create(
        kind=JobKind.CONNECT,
        actor=request.user,
        shops=shops,
        main_account_id=connection.main_account_id if connection else None,
        added=connection.added if connection else (),
    )
    shop_job_enqueue(job_id=job.pk)
    model_admin.message_user(
        request,
        ngettext(
            "Tokens stored for %(count)s shop; its details and vouchers are being fetched in "
            "the background.",
            "Tokens stored for %(count)s shops; their details and vouchers are being fetched in "
            "the background.",
            len(shops),
        )
        % {"count": len(shops)},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(job_url(job))


def _refused(model_admin, request, reason):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("The shop was not connected"),
        "opts": model_admin.opts,
        "reason": reason,
        "start_url": reverse("admin:shops_shop_connect"),
    }
    return TemplateResponse(request, "admin/shops/shop/connect_refused.html", context, status=400)
