"""The shape of the house: imports run one way, functions stay short, the model stays small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 80
MAX_MODEL_LINES = 260  # DistrictModel builds the components and calls them in order


def modules(package: str) -> dict[str, ast.Module]:
    """Every module of a package (subpackages included), by dotted name."""
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules that a module imports: at module level, in functions and
    under ``if TYPE_CHECKING`` alike (relative imports resolved)."""
    found: set[str] = set()
    package = name if name + ".__init__" in known else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        found |= {t for t in targets if t in known}
    return found - {name}


def graph(package: str) -> dict[str, set[str]]:
    trees = modules(package)
    return {name: imports(name, tree, set(trees)) for name, tree in trees.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that lies on one (empty: the graph is acyclic)."""

    def from_(start: str, path: list[str], seen: set[str]) -> list[str] | None:
        for dep in sorted(g[path[-1]]):
            if dep == start:
                return [*path, dep]
            if dep not in seen:
                seen.add(dep)
                if found := from_(start, [*path, dep], seen):
                    return found
        return None

    return [c for name in sorted(g) if (c := from_(name, [name], {name}))]


@pytest.mark.parametrize("package", ["sim", "analysis"])
def test_no_import_cycle(package: str) -> None:
    g = graph(package)
    assert sum(map(len, g.values())) > 10  # the imports are found
    assert cycles(g) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})[0] == ["a", "b", "c", "a"]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_analysis_reads_files_and_never_imports_sim() -> None:
    for name, tree in modules("analysis").items():
        for node in ast.walk(tree):
            mods = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(m == "sim" or m.startswith("sim.") for m in mods), name


@pytest.mark.parametrize("package", ["sim", "analysis"])
def test_no_function_over_80_lines(package: str) -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in modules(package).items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_district_model_only_builds_and_orders_the_components() -> None:
    tree = modules("sim")["sim.model"]
    (model,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DistrictModel"]
    assert model.end_lineno is not None
    assert model.end_lineno - model.lineno + 1 <= MAX_MODEL_LINES


def test_the_daily_modifiers_import_nothing_from_the_engine() -> None:
    g = graph("sim")
    reached, todo = set(), ["sim.policies.modifiers"]
    while todo:
        for dep in g[todo.pop()] - reached:
            reached.add(dep)
            todo.append(dep)
    assert reached <= {"sim.policies.params", "sim.policies.instrument", "sim.rules", "sim.errors"}
