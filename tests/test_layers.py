"""The layers of STYLE.md, checked on the source: the Shopee package knows no models or
services, services never import the task module (which imports them: no cycle) nor the admin,
and only the dispatcher starts threads for calls to Shopee."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = (
    "audit",
    "shops",
    "dispatch",
    "vouchers",
    "promotions",
    "notifications",
    "runs",
    "jobs",
    "ops",
)
# Each layer where it lives: the client package, and every subject's services. import-linter
# (pyproject.toml, run by .ci/run) holds the same rules and the subjects' order; this is the
# quick check in the test run.
LAYERS = {
    "shopee": ("shopee",),
    "services": tuple(f"{subject}/services" for subject in SUBJECTS),
}
UPPER = tuple(f"{subject}.{layer}" for subject in SUBJECTS for layer in ("admin", "views"))


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
        ("shopee", (*SUBJECTS, "core.logcontext", "django.db")),
        ("services", ("ops.tasks", "vouchers.tasks", *UPPER)),
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
    assert senders == {"dispatch/services/dispatcher.py"}
