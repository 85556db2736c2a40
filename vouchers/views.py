"""Views outside the admin."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vouchers.services.health import health_check


@never_cache
@require_GET
def health(request):
    """200 when the database answers and a worker ran a task lately; 503 otherwise."""
    report = health_check()
    body = {
        "status": "ok" if report.healthy else "unhealthy",
        "database": report.database,
        "worker": report.worker,
        "last_worker_heartbeat": report.last_beat.isoformat() if report.last_beat else None,
    }
    return JsonResponse(body, status=200 if report.healthy else 503)
