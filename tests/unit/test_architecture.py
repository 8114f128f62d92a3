"""The house rules of docs/architecture.md, checked by reading the code with `ast`:
one package per feature, imports only downwards (a feature uses `core`, `realtime` and other
features' models, services and access modules, never their pages), no import cycles, and no
file in collab/ over 500 lines."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLLAB = ROOT / "collab"
FEATURES = {"people", "home", "timetables", "plans", "observations", "rooms", "assessments",
            "mentoring", "dashboard", "demo"}
# The application's frame: create_app and the CLI put the features together.
FRAME = {"collab", "collab.cli"}
# What a feature shows to the world and other features must not reach into.
PAGES = ("routes", "events", "live", "refusals", "forms")
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in COLLAB.rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every collab module that `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("collab")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("collab"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def layer(module: str) -> tuple[str, str | None]:
    parts = module.split(".")
    if module in FRAME:
        return "frame", None
    if len(parts) > 1 and parts[1] in FEATURES:
        return "feature", parts[1]
    if len(parts) > 1 and parts[1] in {"core", "realtime"}:
        return parts[1], None
    return "base", None  # collab.extensions, collab.config


def is_page(module: str) -> bool:
    parts = module.split(".")
    return len(parts) == 2 or any(p.startswith(PAGES) for p in parts[2:])


def upward(source: str, target: str) -> bool:
    kind, feature = layer(source)
    target_kind, target_feature = layer(target)
    if kind == "frame":
        return False
    if target_kind == "frame":
        return True
    if kind in {"base", "core"}:
        return target_kind in {"feature", "realtime"}
    if kind == "realtime":
        return target_kind == "feature"
    if kind == "feature" and target_kind == "feature" and feature != target_feature:
        return is_page(target)
    return False


def test_every_module_imports_only_downwards():
    wrong = sorted(f"{source} -> {target}" for source, targets in graph().items()
                   for target in targets if upward(source, target))
    assert wrong == []


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_there_is_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(("source", "target", "expected"), [
    ("collab.core.web", "collab.people.models", True),
    ("collab.realtime", "collab.rooms.access", True),
    ("collab.plans.service", "collab.people.access", False),
    ("collab.plans.service", "collab.plans.routes.pages", False),
    ("collab.rooms.service", "collab.plans.routes.pages", True),
    ("collab.rooms.service", "collab.plans", True),
    ("collab.demo.seed", "collab.plans.service", False),
    ("collab.plans.service", "collab", True),
])
def test_the_direction_rule(source, target, expected):
    assert upward(source, target) is expected


def test_every_feature_is_a_package_with_a_docstring():
    for path in COLLAB.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no module docstring"


def test_no_file_in_collab_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in COLLAB.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
