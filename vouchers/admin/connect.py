"""The "Connect a Shopee shop" flow: send the user to Shopee, take the code on return.

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

from vouchers.services.connect import shop_authorization_url, shop_connect, shop_info_update
from vouchers.services.shops import ShopUnavailable
from vouchers.services.sync import shop_vouchers_sync
from vouchers.shopee.client import get_client
from vouchers.shopee.errors import ShopeeConfigError, ShopeeError

SESSION_KEY = "shopee_connect"
STATE_LIFETIME_SECONDS = 600


def connect_start(model_admin, request):
    """Redirect to Shopee's authorization page, remembering a one-time state in the session."""
    try:
        client = get_client()
    except ShopeeConfigError as error:
        model_admin.message_user(request, f"Cannot connect a shop: {error.message}", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:vouchers_shop_changelist"))
    state = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = {"state": state, "started": time.time()}
    callback = request.build_absolute_uri(reverse("admin:vouchers_shop_connect_callback"))
    redirect_url = f"{callback}?{urlencode({'state': state})}"
    return HttpResponseRedirect(shop_authorization_url(client=client, redirect_url=redirect_url))


def connect_callback(model_admin, request):
    """Shopee sent the seller back with `code` and `shop_id`: exchange, store, sync."""
    started = request.session.pop(SESSION_KEY, None)
    given_state = request.GET.get("state", "")
    if not started or not secrets.compare_digest(str(started.get("state")), given_state):
        return _refused(
            model_admin,
            request,
            "This authorization answer does not belong to a connection you started in this "
            "browser session, or it was already used.",
        )
    if time.time() - float(started.get("started", 0)) > STATE_LIFETIME_SECONDS:
        return _refused(
            model_admin, request, "This connection attempt is more than 10 minutes old."
        )
    code = request.GET.get("code", "").strip()
    raw_shop_id = request.GET.get("shop_id", "").strip()
    if not code or not raw_shop_id.isdigit() or int(raw_shop_id) >= 2**63:
        return _refused(
            model_admin,
            request,
            "Shopee's answer has no authorization code or shop id. If the seller authorized a "
            "main account, connect each of its shops separately.",
        )
    try:
        client = get_client()
        shop = shop_connect(client=client, code=code, shop_id=int(raw_shop_id), actor=request.user)
    except ShopeeError as error:
        return _refused(model_admin, request, f"Shopee refused the authorization code: {error}")
    _after_connect(model_admin, request, client, shop)
    return HttpResponseRedirect(reverse("admin:vouchers_shop_change", args=[shop.pk]))


def _after_connect(model_admin, request, client, shop):
    try:
        shop_info_update(shop=shop, client=client, actor=request.user)
        result = shop_vouchers_sync(shop=shop, client=client, actor=request.user)
    except (ShopUnavailable, ShopeeError) as error:
        model_admin.message_user(
            request,
            f"Connected {shop}, but fetching its details or vouchers failed: {error}",
            messages.WARNING,
        )
        return
    model_admin.message_user(
        request,
        f"Connected {shop}: tokens stored, {result.total} vouchers synced.",
        messages.SUCCESS,
    )


def _refused(model_admin, request, reason):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "The shop was not connected",
        "opts": model_admin.opts,
        "reason": reason,
        "start_url": reverse("admin:vouchers_shop_connect"),
    }
    return TemplateResponse(
        request, "admin/vouchers/shop/connect_refused.html", context, status=400
    )
