"""Helpers for tests: start the sandbox in-process and drive it over its control API.

::

    sandbox = start_sandbox()                 # a free port on 127.0.0.1, serving in a thread
    control = SandboxControl(sandbox.base_url)
    control.reset({"partners": [...], "shops": [...], "vouchers": [...]})
    ...                                       # point the app at sandbox.base_url
    sandbox.stop()

:class:`SandboxControl` uses ``requests`` (the server itself is standard library only); every
control call has a timeout, and a refused call raises :class:`SandboxControlError`. The seller's
clicks (:func:`authorize_shop`, :func:`authorize_main_account`) live in :mod:`sandbox.seller`
and are re-exported here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any

import requests

from sandbox.seller import SandboxControlError, authorize_main_account, authorize_shop
from sandbox.server import SandboxServer, create_server
from sandbox.state import SandboxState

__all__ = [
    "RunningSandbox",
    "SandboxControl",
    "SandboxControlError",
    "authorize_main_account",
    "authorize_shop",
    "start_sandbox",
]


@dataclass
class RunningSandbox:
    """A sandbox serving from a daemon thread; ``stop()`` shuts it down and closes the socket."""

    server: SandboxServer
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``, what the app's ``SHOPEE_API_BASE_URL`` should be."""
        return self.server.base_url

    @property
    def state(self) -> SandboxState:
        """The live in-memory state; hold ``state.lock`` while touching it."""
        return self.server.state

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: str | None = None,
    *,
    state_file: str | PathLike[str] | None = None,
    verbose: bool = False,
) -> RunningSandbox:
    """Start a sandbox (port 0: a free port) in a daemon thread; it is ready on return."""
    server = create_server(host, port, seed=seed, state_file=state_file, verbose=verbose)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"shopee-sandbox-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return RunningSandbox(server=server, thread=thread)


class SandboxControl:
    """A client of the control API at ``base_url`` (see :mod:`sandbox.control`)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._session.request(
            method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=self.timeout
        )
        payload = response.json()
        if response.status_code != 200:
            raise SandboxControlError(response.status_code, payload)
        return payload

    def health(self) -> bool:
        return self._call("GET", "health")["ok"] is True

    def reset(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Replace the whole state (also clears clock offset, calls, faults, rate limit)."""
        return self._call("POST", "reset", doc)

    def state(self) -> dict[str, Any]:
        return self._call("GET", "state")

    def calls(self) -> list[dict[str, Any]]:
        return self._call("GET", "calls")["calls"]

    def clear_calls(self) -> None:
        self._call("DELETE", "calls")

    def now(self) -> int:
        """The sandbox's clock (Unix seconds)."""
        return self._call("GET", "clock")["now"]

    def advance_clock(self, seconds: int) -> int:
        """Move the sandbox clock forward; return the new sandbox time."""
        return self._call("POST", "clock", {"advance_seconds": seconds})["now"]

    def set_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace all fault rules (see :mod:`sandbox.faults`); return them as parsed."""
        return self._call("POST", "faults", {"rules": rules})["rules"]

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")["rules"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def set_rate_limit(self, per_shop_rps: float | None) -> None:
        """Throttle each shop to ``per_shop_rps`` requests a second (None: no limit)."""
        self._call("POST", "settings", {"rate_limit_per_shop": per_shop_rps})

    def set_discount_messages(self, choice: str) -> dict[str, Any]:
        """``"shopee"`` (the default) or ``"by_meaning"``: which messages discount end/delete
        refusals carry (shopee-promotions.md section 10.1); returns the settings."""
        return self._call("POST", "settings", {"discount_messages": choice})

    def update_shop(self, shop_id: int, **fields: Any) -> dict[str, Any]:
        """Change a shop at runtime: any of ``status``, ``auth_time``, ``auth_expire_time``,
        ``name``, ``region``, ``merchant_id``, ``auth_cancelled`` (no push). Returns
        ``{"ok": True}``; an unknown shop raises :class:`SandboxControlError` with status 404."""
        return self._call("POST", f"shops/{shop_id}", fields)

    # -- push (see sandbox.push and sandbox.control.authorization) --------------------------
    def set_push_url(self, url: str | None) -> dict[str, Any]:
        """Set (or with None clear) the push URL. Setting one sends the code 0 verification
        push first; returns ``{"rate_limit_per_shop", "push_url", "verification": <record> |
        None}``."""
        return self._call("POST", "settings", {"push_url": url})

    def pushes(self) -> list[dict[str, Any]]:
        """Every push record, oldest first (``message_id``, ``code``, ``body``, ``delivered``,
        ``pending``, ...)."""
        return self._call("GET", "pushes")["pushes"]

    def cancel_authorization(self, shop_id: int) -> dict[str, Any]:
        """The seller cancels the shop's authorization: ``{"ok": True, "push": <code 2>}``."""
        return self._call("POST", f"shops/{shop_id}/cancel_authorization")

    def cancel_main_account(self, main_account_id: int) -> dict[str, Any]:
        """Cancel every shop and merchant of the main account: one code 2 push."""
        return self._call("POST", f"main_accounts/{main_account_id}/cancel_authorization")

    def expire_soon(
        self,
        shop_ids: Iterable[int],
        merchant_ids: Iterable[int] = (),
        expire_at: int | None = None,
    ) -> dict[str, Any]:
        """Move the listed authorizations' end to ``expire_at`` (default: sandbox now + 7 days)
        and send one code 12 push: ``{"ok": True, "push": <record>}``."""
        body: dict[str, Any] = {"shop_ids": list(shop_ids), "merchant_ids": list(merchant_ids)}
        if expire_at is not None:
            body["expire_at"] = expire_at
        return self._call("POST", "authorization_expiry", body)

    def send_push(
        self,
        code: int,
        data: dict[str, Any],
        shop_id: int | None = None,
        *,
        partner_id: int | None = None,
    ) -> dict[str, Any]:
        """Send exactly this push (signed as usual): ``{"ok": True, "push": <record>}``."""
        body: dict[str, Any] = {"code": code, "data": data}
        if shop_id is not None:
            body["shop_id"] = shop_id
        if partner_id is not None:
            body["partner_id"] = partner_id
        return self._call("POST", "push", body)

    # -- vouchers, as a seller in Seller Centre (see sandbox.control.vouchers) -------------
    def add_voucher(self, **fields: Any) -> dict[str, Any]:
        """Add one voucher (reset-document fields, ``shop_id`` and ``voucher_id`` required);
        returns ``{"ok": True, "voucher": {...}}``."""
        return self._call("POST", "vouchers", fields)

    def update_voucher(self, shop_id: int, voucher_id: int, /, **fields: Any) -> dict[str, Any]:
        """Change any of a voucher's fields, bypassing Shopee's API rules; returns
        ``{"ok": True, "voucher": {...}}``."""
        return self._call("POST", f"vouchers/{shop_id}/{voucher_id}", fields)

    # -- promotions of every kind (see sandbox.control.promotions) -------------------------
    def add_promotion(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Add one promotion of ``kind`` (``discount``, ``bundle_deal``, ``add_on_deal``,
        ``follow_prize``, ``shop_flash_sale``): reset-document fields, ``shop_id`` and the
        kind's id required; returns ``{"ok": True, "promotion": {...}}``."""
        return self._call("POST", f"promotions/{kind}", fields)

    def update_promotion(
        self, kind: str, shop_id: int, promotion_id: int, /, **fields: Any
    ) -> dict[str, Any]:
        """Change any of its fields, bypassing Shopee's API rules (Seller Centre, or Shopee
        taking it over); returns ``{"ok": True, "promotion": {...}}``."""
        return self._call("POST", f"promotions/{kind}/{shop_id}/{promotion_id}", fields)

    def end_promotion(self, kind: str, shop_id: int, promotion_id: int) -> dict[str, Any]:
        """The seller ends it in Seller Centre (a flash sale: switched off, status 2)."""
        return self._call("POST", f"promotions/{kind}/{shop_id}/{promotion_id}/end")

    def delete_promotion(self, kind: str, shop_id: int, promotion_id: int) -> dict[str, Any]:
        """The seller deletes it in Seller Centre (a flash sale stays, status 0)."""
        return self._call("POST", f"promotions/{kind}/{shop_id}/{promotion_id}/delete")

    def promotion_push(
        self, kind: str, shop_id: int, promotion_id: int, /, code: int, **fields: Any
    ) -> dict[str, Any]:
        """Shopee's code 7 or 9 push for one item of it (``item_id`` required; ``action``,
        ``variation_id``, ``reserved_stock``, ``promotion_type``): ``{"ok", "push"}``."""
        body = {"code": code} | fields
        return self._call("POST", f"promotions/{kind}/{shop_id}/{promotion_id}/push", body)

    def promotions(self, kind: str) -> list[dict[str, Any]]:
        """Every promotion of ``kind`` with its ``shop_id``, as ``GET /_sandbox/state`` has them."""
        return self.state()["promotions"][kind]

    def close(self) -> None:
        self._session.close()
