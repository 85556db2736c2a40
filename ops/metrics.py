"""Prometheus metrics at `/metrics/` (prometheus-client), for a bearer token or a staff login.

Every figure is computed from the database when Prometheus scrapes, by a custom collector, so
it is the same whichever gunicorn process answers and counts what every worker on every
machine did: calls are made in `db_worker` processes, possibly on other machines, which
prometheus-client's multiprocess mode (one directory of files per machine) could not add up
with the web processes' view. The call log is the one record of every call, so the call
figures are read from it over a sliding window (`WINDOW`, the last 5 minutes) instead of being
counted in process memory: they are gauges ("in the last 5 minutes"), to be read as they are,
not through `rate()`. Each query is bounded by an index (the call log's start time, the run
status, the run items' state, the task queue's partial index on READY rows).

Metrics (all prefixed `shopadmin_`):

- `shopee_calls_last_5m{api, outcome}`: calls started in the window by endpoint and outcome
  (success, refused, failed, pending).
- `shopee_call_duration_seconds_last_5m{api}`: histogram of their durations.
- `shopee_unreachable`: 1 when every recent call failed without an answer (as `/health/`).
- `shopee_circuit_open`: 1 while the run engine's circuit breaker holds calls back; 0 until the
  breaker exists (`circuit_state()` is where it plugs in).
- `runs{state}`: runs by status; `run_items_pending`: items still to do in active runs.
- `task_queue_depth`, `task_queue_oldest_age_seconds`: tasks due and waiting for a worker, and
  how long the oldest has waited; `tasks_running`.
- `workers_alive`; `worker_heartbeat_age_seconds{worker}`: seconds since each worker's last
  beat (workers heard from in the last hour).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from audit.models import ShopeeCall
from ops.models import WorkerHeartbeat
from ops.services.health import ALIVE_FOR, shopee_reachability
from runs.models import ACTIVE_RUN_STATUSES, EndRun, EndRunItem, ItemState, RunStatus

WINDOW = dt.timedelta(minutes=5)
BUCKETS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000)
HEARD_FROM = dt.timedelta(hours=1)


def circuit_state() -> int:
    """1 while Shopee calls are held back by the engine's circuit breaker, else 0."""
    return 0


class ShopadminCollector:
    """Reads the figures from the database at each scrape (see the module's docstring)."""

    def collect(self):
        now = timezone.now()
        yield from self._calls(now)
        yield from self._runs()
        yield from self._queue(now)
        yield from self._workers(now)

    def _calls(self, now):
        recent = ShopeeCall.objects.filter(started_at__gte=now - WINDOW)
        calls = GaugeMetricFamily(
            "shopadmin_shopee_calls_last_5m",
            "Shopee calls started in the last 5 minutes, by API and outcome.",
            labels=["api", "outcome"],
        )
        for row in recent.values("endpoint", "outcome").annotate(n=Count("id")):
            calls.add_metric([row["endpoint"], row["outcome"]], row["n"])
        yield calls

        latency = HistogramMetricFamily(
            "shopadmin_shopee_call_duration_seconds_last_5m",
            "Durations of the Shopee calls answered or failed in the last 5 minutes.",
            labels=["api"],
        )
        buckets = {f"le{ms}": Count("id", filter=Q(duration_ms__lte=ms)) for ms in BUCKETS_MS}
        rows = (
            recent.filter(duration_ms__isnull=False)
            .values("endpoint")
            .annotate(total=Count("id"), sum_ms=Sum("duration_ms"), **buckets)
        )
        for row in rows:
            edges = [(str(ms / 1000), row[f"le{ms}"]) for ms in BUCKETS_MS]
            latency.add_metric(
                [row["endpoint"]],
                buckets=[*edges, ("+Inf", row["total"])],
                sum_value=(row["sum_ms"] or 0) / 1000,
            )
        yield latency

        unreachable = shopee_reachability(now=now) == "unreachable"
        yield GaugeMetricFamily(
            "shopadmin_shopee_unreachable",
            "1 when every recent Shopee call failed without an answer.",
            value=int(unreachable),
        )
        yield GaugeMetricFamily(
            "shopadmin_shopee_circuit_open",
            "1 while the circuit breaker holds Shopee calls back.",
            value=circuit_state(),
        )

    def _runs(self):
        runs = GaugeMetricFamily("shopadmin_runs", "Runs by state.", labels=["state"])
        counts = dict(EndRun.objects.values_list("status").annotate(n=Count("id")).order_by())
        for state in RunStatus.values:
            runs.add_metric([state], counts.get(state, 0))
        yield runs
        pending = EndRunItem.objects.filter(
            run__status__in=ACTIVE_RUN_STATUSES, state=ItemState.PENDING
        ).count()
        yield GaugeMetricFamily(
            "shopadmin_run_items_pending", "Items still to do in active runs.", value=pending
        )

    def _queue(self, now):
        ready = DBTaskResult.objects.filter(status="READY")
        due = ready.filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
        figures = due.aggregate(
            depth=Count("id"),
            queued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
            deferred=Min("run_after", filter=Q(run_after__lte=now)),
        )
        waiting_since = [at for at in (figures["queued"], figures["deferred"]) if at]
        oldest = (now - min(waiting_since)).total_seconds() if waiting_since else 0.0
        yield GaugeMetricFamily(
            "shopadmin_task_queue_depth", "Tasks due and waiting for a worker.", figures["depth"]
        )
        yield GaugeMetricFamily(
            "shopadmin_task_queue_oldest_age_seconds",
            "Seconds the oldest task due has waited for a worker (0 when none waits).",
            value=max(0.0, oldest),
        )
        yield GaugeMetricFamily(
            "shopadmin_tasks_running",
            "Task rows a worker is running.",
            value=DBTaskResult.objects.filter(status="RUNNING").count(),
        )

    def _workers(self, now):
        beats = WorkerHeartbeat.objects.filter(beat_at__gte=now - HEARD_FROM).values_list(
            "worker_id", "beat_at"
        )
        ages = GaugeMetricFamily(
            "shopadmin_worker_heartbeat_age_seconds",
            "Seconds since each worker's last heartbeat (workers heard from in the last hour).",
            labels=["worker"],
        )
        alive = 0
        for worker_id, beat_at in beats:
            ages.add_metric([worker_id], (now - beat_at).total_seconds())
            alive += beat_at >= now - ALIVE_FOR
        yield ages
        yield GaugeMetricFamily(
            "shopadmin_workers_alive", "Workers that beat within the last minute.", value=alive
        )


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ShopadminCollector())
    return generate_latest(registry)


def metrics_allowed(request) -> int:
    """200 for the METRICS_TOKEN bearer or a staff login; 401 with neither, 403 otherwise."""
    header = request.headers.get("Authorization", "")
    token = settings.METRICS_TOKEN
    if header:
        scheme, _, given = header.partition(" ")
        ok = bool(token) and scheme.lower() == "bearer" and constant_time_compare(given, token)
        return 200 if ok else 403
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return 200 if user.is_active and user.is_staff else 403
    return 401


@never_cache
@require_safe
def metrics(request):
    """The metrics in Prometheus' text format (see the module's docstring)."""
    status = metrics_allowed(request)
    if status == 401:
        response = HttpResponse("Authentication required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="shopadmin metrics"'
        return response
    if status == 403:
        return HttpResponse("Forbidden.\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
