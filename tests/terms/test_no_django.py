"""The contract engine must stay plain Python: no module under deals/terms imports Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TERMS_DIR = Path(__file__).resolve().parents[2] / "deals" / "terms"
MODULES = sorted(TERMS_DIR.glob("*.py"))


def django_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "django"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "django":
            found.append(node.module)
    return found


def test_the_terms_package_has_modules():
    assert any(p.name == "conversion.py" for p in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_terms_module_does_not_import_django(path):
    assert django_imports(path.read_text()) == []


def test_the_checker_catches_django_imports():
    # guards the guard: both import forms are detected, look-alikes are not
    assert django_imports("import django.db\nfrom django.conf import settings\nimport djangoish") == [
        "django.db",
        "django.conf",
    ]
