"""The policies import no engine module: no import cycle runs through sim.policies."""

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[2] / "sim"


def _modules() -> dict[str, Path]:
    out = {}
    for path in SIM.rglob("*.py"):
        parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    """Module -> the sim modules it imports: at module level, in functions and TYPE_CHECKING."""
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                target = resolve(name)
                if target and target != mod:
                    graph[mod].add(target)
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_runs_through_the_policies():
    graph = _graph()
    for mod in graph:
        if mod.startswith("sim.policies"):
            assert mod not in _reach(graph, mod), mod


def test_the_daily_modifiers_import_nothing_from_the_engine():
    reached = _reach(_graph(), "sim.policies.modifiers")
    assert reached <= {"sim.policies.params", "sim.policies.instrument", "sim.rules", "sim.errors"}
