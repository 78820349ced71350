"""The import graph of the application layers: no cycles, no router importing a router.

Every `import` counts, including those inside functions and under TYPE_CHECKING:
a cycle hidden behind a lazy import is still a cycle in the design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "reservations", "worker", "services")
ROUTERS = "api.routers"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imported_names(path: Path, module: str) -> Iterator[str]:
    """Every module name an import statement of `path` mentions (absolute form)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"  # `from pkg import module`


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {name for name in imported_names(path, module) if name in modules}
        # `from pkg import module` names both; the module is the real edge
        real = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
        graph[module] = real - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_the_modules_it_checks() -> None:
    graph = import_graph()
    assert "api.routers.reservations" in graph
    assert "reservations.cli" in graph
    assert "api.lifecycle" in graph["api.routers.reservations"]


def test_no_import_cycle_among_the_project_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_router_imports_another_router() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.startswith(ROUTERS + ".")
        for target in targets
        if target.startswith(ROUTERS + ".")
    ]
    assert offenders == []


def test_the_checker_finds_a_cycle_and_a_router_import() -> None:
    # negative control: the checks above would notice what they look for
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_nothing_below_the_api_imports_it() -> None:
    # services, start-up and the worker serve the API, the CLI and the dev runner alike
    offenders = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[0] in {"services", "reservations", "worker"}
        for target in targets
        if target.split(".")[0] == "api"
    ]
    assert offenders == []
