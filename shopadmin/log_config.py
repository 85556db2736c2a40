"""The app's logging (settings.LOGGING): stderr, one line per record, JSON or text, with the
log context's fields (core/logcontext.py); see shopadmin/settings.py for LOG_FORMAT."""


def logging_config(*, log_format: str, level: str) -> dict:
    """The dictConfig for `log_format` ("json" or "text") at `level` for the root logger."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.logcontext.ContextFilter"}},
        "formatters": {
            "text": {
                "()": "core.logcontext.TextFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # urllib3 logs full request URLs (with access_token and sign) at DEBUG: keep it quiet.
            "urllib3": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
        },
    }
