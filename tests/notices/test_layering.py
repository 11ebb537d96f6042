"""notices is a lower layer than deals (issue 15 item 21): it never imports the parts of
deals that import notices (models, services, views, selectors, admin), so there is no
cycle; deals fills notices' role registry with the one place the role checks live. Plain
helpers that reach only deals.terms (deals.forms.fields: NUL-safe form fields) are allowed."""

import ast
from pathlib import Path

import notices
from deals.services import roles
from notices import roles as notice_roles

FORBIDDEN = [["deals"], ["deals", "models"], ["deals", "services"], ["deals", "views"], ["deals", "selectors"], ["deals", "admin"]]


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def test_no_notices_module_imports_deals():
    root = Path(notices.__file__).parent
    offenders = [
        f"{p.relative_to(root)}: {m}"
        for p in root.rglob("*.py")
        if "migrations" not in p.parts
        for m in _imports(p)
        if m.split(".")[:2] in FORBIDDEN
    ]
    assert offenders == []


def test_deals_registers_its_role_checks_with_notices():
    assert notice_roles._policy is roles
