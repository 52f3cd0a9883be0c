"""Layering rules of ARCHITECTURE.md: engine knows nothing of Flask; only named modules touch the libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPIFF_MODULES = {"catalog.py", "scripting.py", "sandbox.py", "clock.py", "runtime.py", "store.py", "progress.py"}
DOCXTPL_MODULES = {"documents.py"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


ENGINE_FILES = sorted((ROOT / "engine").glob("*.py"))
WEB_FILES = sorted((ROOT / "web").rglob("*.py")) if (ROOT / "web").exists() else []


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.name)
def test_engine_module_respects_its_boundaries(path):
    roots = imported_roots(path)
    assert not roots & {"flask", "flask_sqlalchemy", "web"}, f"{path.name} imports the web layer"
    if path.name not in SPIFF_MODULES:
        assert "SpiffWorkflow" not in roots, f"{path.name} imports SpiffWorkflow"
    if path.name not in DOCXTPL_MODULES:
        assert "docxtpl" not in roots, f"{path.name} imports docxtpl"


def test_web_never_imports_spiffworkflow_or_docxtpl():
    offenders = [p.name for p in WEB_FILES if imported_roots(p) & {"SpiffWorkflow", "docxtpl"}]
    assert offenders == []


def test_engine_has_the_modules_the_architecture_names():
    names = {p.name for p in ENGINE_FILES}
    assert {"workdays.py", "deadlines.py", "catalog.py", "scripting.py", "runtime.py", "documents.py",
            "audit.py", "models.py"} <= names
