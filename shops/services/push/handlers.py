"""Push codes handled by a subject above shops (promotions: codes 7 and 9).

Shops is below those subjects and imports none of them; a subject registers its handler here
when its app is ready (`AppConfig.ready()`), and `apply` calls it, inside the transaction that
logs the push, for a message not applied before. A handler takes the `PushMessage` and returns
(outcome, detail) for the push log (`audit.models.pushes.PushOutcome`).
"""

from collections.abc import Callable

Handler = Callable[..., tuple[str, str]]

_HANDLERS: dict[int, Handler] = {}


def push_handler_register(*, code: int, handler: Handler) -> None:
    """Let `handler` apply pushes of `code` (registering again replaces it)."""
    _HANDLERS[code] = handler


def push_handler(code: int) -> Handler | None:
    return _HANDLERS.get(code)
