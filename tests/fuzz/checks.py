"""What every fuzz example asserts: no server error, no traceback, no secret, and, for a refused
input, nothing changed in our database or at the sandbox."""

import traceback
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import transaction

from runs.models import VoucherSelection
from shops.models import ShopToken
from tests.conftest import PARTNER_KEY

LEAK_MARKERS = ("Traceback", "Exception Value", "invalid literal")
SNAPSHOT_MODELS = [
    "Shop",
    "ShopToken",
    "Voucher",
    "EndRun",
    "EndRunItem",
    "ShopeeCall",
    "VoucherSelection",
    "ShopeePush",  # once the push endpoint exists
]
MODELS = {model.__name__: model for model in apps.get_models()}


@contextmanager
def rolled_back():
    """Run an example inside a savepoint that is rolled back, whatever happens in it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def db_snapshot() -> dict:
    """Every row of the tables a refused input must not change (small in these tests)."""
    snapshot = {}
    for name in SNAPSHOT_MODELS:
        model = MODELS.get(name)
        if model is not None:
            snapshot[name] = list(model.objects.order_by("pk").values())
    through = VoucherSelection.vouchers.through
    snapshot["selection vouchers"] = list(through.objects.order_by("pk").values())
    return snapshot


def stored_secrets() -> list[str]:
    """The partner key and every token we hold: none may ever appear in a page."""
    found = [PARTNER_KEY]
    for token in ShopToken.objects.all():
        found += [value for value in (token.access_token, token.refresh_token) if value]
    return found


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def shown(value, limit=200) -> str:
    """`value`'s repr, cut to `limit` characters for assertion messages."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def django_debug_400(response) -> bool:
    """Django's own page for a refused request (DisallowedHost, an unknown admin lookup) shows
    its traceback when DEBUG is on, by design for development; with DEBUG off it is a plain
    "Bad Request (400)". Only that page is excused from the traceback check."""
    return settings.DEBUG and response.status_code == 400


def assert_safe(response, *, secrets=(), what="") -> str:
    """No 5xx, no traceback text, no secret in the body or headers. Returns the body.

    `secrets` may be a callable (:func:`stored_secrets`), read after the status is checked: a
    server error may have left the transaction unusable."""
    exc_info = getattr(response, "exc_info", None)
    detail = "".join(traceback.format_exception(*exc_info)[-6:]) if exc_info else ""
    assert response.status_code < 500, f"{what}: HTTP {response.status_code}\n{detail}"
    if callable(secrets):
        secrets = secrets()
    body = body_of(response)
    for marker in LEAK_MARKERS if not django_debug_400(response) else ():
        assert marker not in body, f"{what}: the answer shows {marker!r}\n{detail}"
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    for secret in secrets:
        assert secret not in body, f"{what}: a secret appears in the answer"
        assert secret not in headers, f"{what}: a secret appears in the headers"
    return body


def refused_messages(response) -> list[str]:
    """Error-level messages the view added (for a redirect, what the next page will show)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is None:
        return []
    queued = list(getattr(storage, "_queued_messages", []))
    return [str(message) for message in queued if "error" in message.tags]
