"""Views outside the admin."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ops.services.health import health_check
from shopadmin.security import client_ip_address
from shops.services.push import push_receive, push_too_large


@never_cache
@require_safe
def health(request):
    """200 when the database answers and a worker beat within the last minute; 503 otherwise.

    `shopee` ("ok", "unreachable", "unknown") is reported beside, from the recent call log; it
    never makes the answer 503 (see ops.services.health)."""
    report = health_check()
    body = {
        "status": "ok" if report.healthy else "unhealthy",
        "database": report.database,
        "worker": report.worker,
        "workers_alive": report.workers_alive,
        "last_worker_heartbeat": report.last_beat.isoformat() if report.last_beat else None,
        "shopee": report.shopee,
    }
    return JsonResponse(body, status=200 if report.healthy else 503)


@csrf_exempt
@require_POST
def shopee_push(request):
    """Shopee's push (webhook): verified by its Authorization header, logged, applied once.

    Answers 200 with an empty body when taken; 401 for a wrong or missing signature, 400 for a
    malformed body, 413 for an oversized one, 503 when Shopee settings are missing (each of
    those kept only as a small `RejectedPush` row).
    """
    callback_url = settings.SHOPEE_PUSH_URL or request.build_absolute_uri()
    remote_addr = client_ip_address(request)  # the sender's, behind our trusted proxies
    try:
        body = request.body
    except RequestDataTooBig:
        reply = push_too_large(
            content_length=request.META.get("CONTENT_LENGTH"), remote_addr=remote_addr
        )
    else:
        reply = push_receive(
            body=body,
            authorization=request.headers.get("Authorization", ""),
            callback_url=callback_url,
            remote_addr=remote_addr,
        )
    return HttpResponse(reply.text, status=reply.status, content_type="text/plain; charset=utf-8")
