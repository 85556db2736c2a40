"""Validation of the control API's JSON documents (reset document, shop and voucher changes).

Every check raises :class:`DocumentError` whose text names the entry (``where``) and the field,
e.g. ``shops[0]: partner_id must be an integer, got None``; the control API answers it as HTTP
400 and changes nothing. JSON booleans are not integers here.
"""

from __future__ import annotations

from typing import Any


class DocumentError(ValueError):
    """A control document is malformed; the text names the offending entry."""


def integer(entry: dict[str, Any], name: str, where: str) -> int:
    """A JSON integer (not a boolean)."""
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DocumentError(f"{where}: {name} must be an integer, got {value!r}")
    return value


def optional_integer(entry: dict[str, Any], name: str, where: str, default: Any) -> Any:
    """An integer; a missing or null value takes ``default``."""
    return default if entry.get(name) is None else integer(entry, name, where)


def text(entry: dict[str, Any], name: str, where: str, default: str | None = None) -> str:
    """A non-empty string; a missing, null or empty value takes ``default`` when there is one."""
    value = entry.get(name)
    if value is None or (value == "" and default is not None):
        value = default
    if not isinstance(value, str) or not value:
        raise DocumentError(f"{where}: {name} must be a non-empty string, got {value!r}")
    return value


def boolean(entry: dict[str, Any], name: str, where: str, default: bool = False) -> bool:
    """A JSON boolean; missing or null takes ``default``."""
    value = entry.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise DocumentError(f"{where}: {name} must be true or false, got {value!r}")
    return value


def integer_list(entry: dict[str, Any], name: str, where: str) -> list[int]:
    """A list of distinct integers; missing or null is the empty list."""
    values = entry.get(name)
    if values is None:
        return []
    if not isinstance(values, list) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in values
    ):
        raise DocumentError(f"{where}: {name} must be a list of integers, got {values!r}")
    if len(set(values)) != len(values):
        raise DocumentError(f"{where}: {name} lists an id twice")
    return list(values)


def entries(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A top-level list of objects; missing is the empty list."""
    found = doc.get(name, [])
    if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
        raise DocumentError(f"{name} must be a list of objects")
    return found
