"""What a log line is about: run, shop, voucher, Shopee request and actor, on every line.

Services say what they work on with a context manager; every log record made inside it (in this
thread or task) carries those ids, added by `ContextFilter` (installed on the handlers in
settings.LOGGING), so the JSON lines of LOG_FORMAT=json have them as fields::

    from core.logcontext import log_context

    with log_context(run_id=run.pk, actor=run.created_by_username):
        ...                                     # every line: "run_id": 12, "actor": "anna"
        with log_context(shop_id=item.shop_id, voucher_id=item.voucher_shopee_id):
            log.warning("...")                  # ... plus "shop_id" and "voucher_id"

Keys: run_id, job_id (a shop job's), shop_id (Shopee's shop id), voucher_id (Shopee's voucher
id), request_id (Shopee's), actor (a username or "system"), worker_id. Nested contexts add to
the outer one and restore it on exit; a value of None leaves a key out. `extra={...}` on one log
call overrides a key for that line. Never put secrets here: these fields go on every line.

Threads: the values live in a `contextvars` variable, and a thread started inside a context does
not inherit it (threads start with an empty context). A pool's work function therefore opens
its own `log_context(run_id=..., shop_id=..., voucher_id=...)` around each item, or is submitted
as `pool.submit(contextvars.copy_context().run, fn, ...)`. Where things start today:
`run_process_task` (services/runs/status_log.py: run_id and actor for each slice),
`shop_job_task` (job_id), `shopee_call()` in services/audit.py (shop_id, voucher_id, actor around
one call); `call_log_finish()` writes the WARNING line of a failed call with the row's own ids and
Shopee's request_id, and the run id from the context (or from the row's batch id), so a
dispatcher that sends from its own threads gets complete failure lines without doing anything.
"""

import contextvars
import datetime as dt
import logging
from contextlib import contextmanager

KEYS = ("run_id", "job_id", "shop_id", "voucher_id", "request_id", "actor", "worker_id")

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("shopadmin_log_context")


@contextmanager
def log_context(**ids):
    """Add `ids` (see KEYS) to every log record made inside the block."""
    unknown = set(ids) - set(KEYS)
    if unknown:
        raise TypeError(f"log_context() takes {', '.join(KEYS)}; not {', '.join(sorted(unknown))}")
    merged = {**_context.get({}), **{key: value for key, value in ids.items() if value is not None}}
    token = _context.set(merged)
    try:
        yield merged
    finally:
        _context.reset(token)


def current_context() -> dict:
    """The ids in force here (a copy)."""
    return dict(_context.get({}))


class ContextFilter(logging.Filter):
    """Put the current context's ids on each record (a key given with `extra=` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get({}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """LOG_FORMAT=text: `2026-12-06T23:40:01.250+00:00 WARNING logger message run_id=12 ...`
    (UTC with its offset, like gunicorn's lines; the context's ids at the end)."""

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        return moment.isoformat(timespec="milliseconds")

    def format(self, record):
        line = super().format(record)
        values = {key: getattr(record, key, None) for key in KEYS}
        ids = " ".join(f"{key}={value}" for key, value in values.items() if value is not None)
        return f"{line} {ids}" if ids else line
