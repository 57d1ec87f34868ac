"""The analysis package's shape: no import cycle, no function over 80 lines."""

import ast
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
MAX_LINES = 80


def modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in ANALYSIS.glob("*.py")}


def imported(tree: ast.Module, names: set[str]) -> set[str]:
    """The analysis modules a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from .x import y
                base = (node.module or "").split(".")[0]
                found |= {base} if base else {a.name for a in node.names}
            elif node.module == "analysis":
                found |= {a.name for a in node.names}
            elif node.module and node.module.startswith("analysis."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")}
    return found & names


def test_no_import_cycle_in_analysis():
    trees = modules()
    graph = {name: imported(tree, set(trees)) - {name} for name, tree in trees.items()}
    assert any(graph.values())  # the imports are found

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for dep in sorted(graph[path[-1]]):
            if dep == start:
                return [*path, dep]
            if dep not in path:
                found = cycle_from(start, [*path, dep])
                if found:
                    return found
        return None

    cycles = [c for name in graph if (c := cycle_from(name, [name]))]
    assert cycles == []


def test_no_function_over_80_lines():
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_LINES
    ]
    assert long == []
