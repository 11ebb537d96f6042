"""The contract engine's modules import each other without a cycle (issue 15 item 21: accruals
moved out of conversion.py so delivery, redemption and registration need not import it)."""

from __future__ import annotations

import ast
from pathlib import Path

import deals.terms

PACKAGE = Path(deals.terms.__file__).parent


def _imports(path: Path) -> set[str]:
    """Sibling modules ``path`` imports anywhere (module level or inside a function)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                out.add(node.module.split(".")[0])
            elif node.level == 1:
                out.update(a.name for a in node.names)
            elif node.module and node.module.startswith("deals.terms."):
                out.add(node.module.split(".")[2])
    return out


def test_engine_modules_form_no_import_cycle():
    graph = {p.stem: _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, f"import cycle: {' -> '.join(trail + [node, nxt])}"
            if nxt in graph and state.get(nxt) is None:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        if state.get(module) is None:
            visit(module, [])


def test_delivery_no_longer_imports_conversion():
    assert "conversion" not in _imports(PACKAGE / "delivery.py")
    assert "conversion" not in _imports(PACKAGE / "redemption.py")
