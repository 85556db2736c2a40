"""The only writer of the Shopee call log (`ShopeeCall`).

A call is recorded in two steps: `call_log_start()` commits a *pending* row before the request
leaves, so a process that dies mid-call still leaves a trace, and `call_log_finish()` completes
it with the answer or the failure. `shopee_call()` does both around one request; the run engine
calls the two steps itself because it sends from a pool of threads. Never call these inside a
transaction that spans the request.
"""

import logging
import uuid
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from core.logcontext import current_context, log_context
from runs.models import EndRun
from shopadmin.sql import (
    column,
    insert_fields,
    json_text,
    marks,
    prepared,
    prepared_row,
    table,
)
from shopee.api import ApiCall
from shopee.client import PreparedCall, ShopAuth, ShopeeClient, ShopeeResult
from shopee.errors import BUSINESS, ShopeeError
from shops.models import Shop
from vouchers.models import Voucher

log = logging.getLogger(__name__)


def call_log_start(
    *,
    prepared: PreparedCall,
    actor=None,
    actor_label: str = "",
    shop: Shop | None = None,
    voucher: Voucher | None = None,
    batch_id: uuid.UUID | None = None,
    attempt: int = 1,
) -> ShopeeCall:
    """Record a request about to be sent (outcome `pending`). `actor` is the user acting;
    commands and tasks pass None and an `actor_label`."""
    row = _pending_row(
        prepared=prepared,
        actor=actor,
        actor_label=actor_label,
        shop=shop,
        voucher=voucher,
        batch_id=batch_id,
        attempt=attempt,
    )
    row.save(force_insert=True)
    return row


def call_log_start_many(entries: list[dict]) -> list[ShopeeCall]:
    """`call_log_start()` for several requests at once (each entry its keyword arguments): one
    INSERT. The rows are committed with the caller's transaction, before any request leaves."""
    rows = [_pending_row(**entry) for entry in entries]
    if not connection.features.can_return_rows_from_bulk_insert:
        return ShopeeCall.objects.bulk_create(rows)
    # The INSERT the ORM would write, without compiling it each time: one row of placeholders
    # per call, its values prepared by the model's own fields, the new ids returned in order.
    fields = insert_fields(ShopeeCall)
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = [value for row in batch for value in prepared_row(fields, row)]
            cursor.execute(_insert_sql(connection.vendor, len(batch)), values)
            ids += [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias
    return rows


@lru_cache(maxsize=64)
def _insert_sql(vendor: str, count: int) -> str:
    fields = insert_fields(ShopeeCall)
    columns = ", ".join(column(ShopeeCall, field.name) for field in fields)
    row = f"({marks(len(fields))})"
    pk = column(ShopeeCall, ShopeeCall._meta.pk.name)
    return (
        f"INSERT INTO {table(ShopeeCall)} ({columns}) "  # noqa: S608 - our table
        f"VALUES {', '.join([row] * count)} RETURNING {pk}"
    )


def _pending_row(*, prepared, actor, actor_label, shop, voucher, batch_id, attempt) -> ShopeeCall:
    api = prepared.api
    return ShopeeCall(
        started_at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor else (actor_label or "system"),
        shop=shop,
        shop_shopee_id=shop.shop_id if shop else (prepared.shop_id or _body_value(api, "shop_id")),
        shop_name=shop.name if shop else "",
        voucher=voucher,
        voucher_shopee_id=voucher.voucher_id if voucher else _body_value(api, "voucher_id"),
        voucher_code=voucher.voucher_code if voucher else "",
        batch_id=batch_id,
        endpoint=api.path,
        method=api.method,
        attempt=attempt,
        request=prepared.redacted(),
    )


def call_log_finish(
    row: ShopeeCall, *, result: ShopeeResult | None = None, error: ShopeeError | None = None
) -> None:
    """Complete `row` with Shopee's answer (`result`) or the failure (`error`)."""
    call_log_finish_many([(row, result, error)])


# The columns an answer completes, in the order of `_finish_values()`.
FINISH_COLUMNS = (
    "finished_at",
    "outcome",
    "error_kind",
    "http_status",
    "request_id",
    "error",
    "message",
    "response",
    "duration_ms",
)
RESPONSE = FINISH_COLUMNS.index("response")


def call_log_finish_many(answers) -> None:
    """`call_log_finish()` for several answers at once, (row, result, error) each: one UPDATE
    statement run for every row (executemany), in the caller's transaction if any.

    Only a row still pending is completed: a processor that lost its run (lease) may answer
    late, after the run's new processor closed the row (`call_log_close_unanswered`); the first
    word stays."""
    if not answers:
        return
    now = timezone.now()
    fields = [ShopeeCall._meta.get_field(name) for name in FINISH_COLUMNS]
    params = []
    for row, result, error in answers:
        values = prepared(fields, _finish_values(now, result, error))
        if error is None and result.text is not None:
            # Shopee's answer as received: a list page's is dumped once less.
            values[RESPONSE] = json_text(result.text)
        params.append([*values, row.pk])
    with connection.cursor() as cursor:
        cursor.executemany(_finish_sql(connection.vendor), params)
    for row, _result, error in answers:
        if error is not None:
            _log_failure(row, error)


def _finish_values(now, result, error) -> tuple:
    if error is not None:
        return (
            now,
            CallOutcome.REFUSED if error.error else CallOutcome.FAILED,
            error.kind,
            error.http_status,
            error.request_id,
            error.error,
            error.message,
            error.response,
            error.duration_ms,
        )
    return (
        now,
        CallOutcome.SUCCESS,
        "",
        result.http_status,
        result.request_id,
        "",
        result.message,
        None if result.text is not None else result.redacted_body(),  # `json_text()` then
        result.duration_ms,
    )


@lru_cache(maxsize=2)
def _finish_sql(vendor: str) -> str:
    assignments = ", ".join(f"{column(ShopeeCall, name)} = %s" for name in FINISH_COLUMNS)
    return (
        f"UPDATE {table(ShopeeCall)} SET {assignments} "  # noqa: S608 - our table
        f"WHERE {column(ShopeeCall, 'id')} = %s AND {column(ShopeeCall, 'finished_at')} IS NULL"
    )


def call_log_close_unanswered(*, rows, message: str) -> int:
    """Close the rows of `rows` (a ShopeeCall queryset) still `pending`: their process died or
    lost the database between the request and its answer, so whether Shopee answered is not
    known. Each becomes `failed` (no usable answer) with `message`, which says what was learnt
    since (e.g. "no answer: checked with get_voucher, ended"). Rows are completed, never
    deleted; the database's append-only trigger lets a pending row be completed once. Returns
    how many were closed."""
    return rows.filter(outcome=CallOutcome.PENDING, finished_at__isnull=True).update(
        outcome=CallOutcome.FAILED, message=message, finished_at=timezone.now()
    )


def _log_failure(row: ShopeeCall, error: ShopeeError) -> None:
    """One line per failed call, with its ids: WARNING when Shopee gave no usable answer
    (network, timeout, 5xx) or refused for a reason staff must see (authorization,
    configuration, rate limit, its server), INFO for a business refusal (a voucher's rules).
    Never the request: only ids, the endpoint and Shopee's error and message (scrubbed)."""
    ids = {
        "shop_id": row.shop_shopee_id,
        "voucher_id": row.voucher_shopee_id,
        "request_id": error.request_id or None,
        "actor": row.actor_username or None,
    }
    if row.batch_id and "run_id" not in current_context():
        ids["run_id"] = (
            EndRun.objects.filter(public_id=row.batch_id).values_list("pk", flat=True).first()
        )
    business = error.error and error.kind == BUSINESS
    level = logging.INFO if business else logging.WARNING
    what = "refused" if error.error else "failed"
    with log_context(**ids):
        log.log(
            level,
            "Shopee call %s: %s %s (attempt %d): %s",
            what,
            row.method,
            row.endpoint,
            row.attempt,
            error,
        )


def shopee_call(
    *,
    client: ShopeeClient,
    api: ApiCall,
    shop_auth: ShopAuth | None = None,
    **context,
) -> ShopeeResult:
    """Send one request to Shopee and record it. Returns the answer or re-raises its ShopeeError.

    `context` is what `call_log_start()` takes besides the request: actor, actor_label, shop,
    voucher, batch_id, attempt.
    """
    prepared = client.prepare(api, shop=shop_auth)
    row = call_log_start(prepared=prepared, **context)
    with log_context(
        shop_id=row.shop_shopee_id, voucher_id=row.voucher_shopee_id, actor=row.actor_username
    ):
        try:
            result = client.send(prepared)
        except ShopeeError as error:
            call_log_finish(row, error=error)
            raise
        call_log_finish(row, result=result)
    return result


def _body_value(api: ApiCall, key: str):
    for params in (api.body or {}, api.query):
        value = params.get(key)
        if isinstance(value, int):
            return value
    return None
