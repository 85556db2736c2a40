"""The layers of STYLE.md, checked on the source: the Shopee package knows no models or
services, services never import the task module (which imports them: no cycle) nor the admin,
and only the dispatcher starts threads for calls to Shopee."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each layer where it lives (a package may move from vouchers/ to the top level).
LAYERS = {"shopee": ("vouchers/shopee", "shopee"), "services": ("vouchers/services",)}


def imports(package: str):
    """(module file, imported module) for every import of the layer `package`."""
    paths = sorted(p for where in LAYERS[package] for p in (ROOT / where).rglob("*.py"))
    assert paths, f"no module found for the layer {package}"
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("shopee", ("vouchers.models", "vouchers.services", "vouchers.admin", "django.db")),
        ("services", ("ops.tasks", "vouchers.admin", "ops.views")),
    ],
)
def test_a_layer_imports_nothing_above_it(package, forbidden):
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imports(package)
        if module.startswith(forbidden)
    ]
    assert wrong == []


def test_only_the_dispatcher_starts_threads_to_call_shopee():
    senders = {
        str(path.relative_to(ROOT))
        for path, module in imports("services")
        if module.startswith("concurrent.futures")
    }
    assert senders == {"vouchers/services/dispatch/dispatcher.py"}
