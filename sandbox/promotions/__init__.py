"""Shopee's promotion kinds beside vouchers: one module per kind, one shared base.

:data:`KINDS` (by module name: ``discount``, ``bundle_deal``, ``add_on_deal``, ``follow_prize``,
``shop_flash_sale``) is all the rest of the sandbox knows: :func:`routes` gives
:mod:`sandbox.shopee_api` every call (``/api/v2/<module>/<api>``, so calls log, faults and
throttling apply as to voucher calls), :func:`parse_promotions` reads the reset document's
``promotions`` object, :func:`dump` / :func:`restore` serve ``GET /_sandbox/state`` and
``--state``. Adding a kind is adding a module with a ``KIND`` (:class:`base.Kind`) and listing
it here. The pushes for promotions (codes 7 and 9) are :mod:`sandbox.promotions.pushes`.
"""

from __future__ import annotations

from typing import Any

from sandbox import fields
from sandbox.fields import DocumentError
from sandbox.promotions import (
    add_on_deal,
    base,
    bundle_deal,
    discount,
    follow_prize,
    shop_flash_sale,
)
from sandbox.promotions.base import Kind

KINDS: dict[str, Kind] = {
    module.KIND.name: module.KIND
    for module in (discount, bundle_deal, add_on_deal, follow_prize, shop_flash_sale)
}

Records = dict[str, dict[int, dict[int, dict[str, Any]]]]  # kind -> shop_id -> id -> record


def routes() -> dict[str, tuple[str, base.Handler, bool]]:
    """Every promotion call: path -> (method, handler, changes state)."""
    return {kind.path(api): call for kind in KINDS.values() for api, call in kind.calls.items()}


def empty() -> Records:
    return {name: {} for name in KINDS}


def parse_promotions(doc: dict[str, Any], *, shop_ids: set[int], now: int) -> Records:
    """The reset document's ``promotions``: ``{"<kind>": [{"shop_id", "<id field>", ...}]}``.

    Optional, like each kind in it. Unknown kind, unknown shop, an id given twice within a
    kind, or a bad record -> ``DocumentError``.
    """
    given = doc.get("promotions")
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise DocumentError("promotions must be an object of lists, by kind")
    unknown = sorted(set(given) - set(KINDS))
    if unknown:
        raise DocumentError(f"promotions: unknown kind(s) {unknown}; known: {sorted(KINDS)}")
    records = empty()
    for name in given:
        kind = KINDS[name]
        seen: set[int] = set()
        for i, entry in enumerate(fields.entries(given, name)):
            where = f"promotions.{name}[{i}]"
            shop_id = fields.integer(entry, "shop_id", where)
            if shop_id not in shop_ids:
                raise DocumentError(f"{where}: unknown shop_id {shop_id}")
            record = base.record_with_defaults(kind, entry, where=where, now=now)
            if record[kind.id_field] in seen:
                raise DocumentError(f"{where}: {kind.id_field} {record[kind.id_field]} twice")
            seen.add(record[kind.id_field])
            records[name].setdefault(shop_id, {})[record[kind.id_field]] = record
    return records


def dump(records: Records) -> dict[str, list[dict[str, Any]]]:
    """Every record with its ``shop_id``, by kind, in (shop, id) order."""
    return {
        name: [
            {"shop_id": shop_id} | record
            for shop_id, by_id in sorted(records.get(name, {}).items())
            for _, record in sorted(by_id.items())
        ]
        for name in KINDS
    }


def restore(saved: dict[str, list[dict[str, Any]]] | None) -> Records:
    records = empty()
    for name, rows in (saved or {}).items():
        kind = KINDS[name]
        for row in rows:
            record = dict(row)
            records[name].setdefault(record.pop("shop_id"), {})[record[kind.id_field]] = record
    return records
