"""No import circle in `src/headwater`: the modules form a DAG a reader can follow from the bottom up.

The graph is read from the source with `ast`, never by importing it, so it sees every import statement
wherever it stands: at the top of a module, deferred inside a function, or under `TYPE_CHECKING`. A
deferred import still is a dependency; hiding a circle inside a function only moves where it bites.

How an import becomes an edge:
- `import headwater.a.b` -> `headwater.a.b`;
- `from headwater.a import b` -> `headwater.a.b` when that is a module, else `headwater.a` (a name
  defined in, or handed on by, the package's `__init__`);
- relative imports are resolved against the importing module's package first;
- `importlib.import_module("headwater.x")` with a literal string counts like `import headwater.x`.

Not edges: the parent packages that Python runs implicitly before a submodule (`headwater.a.__init__`
for `headwater.a.b`), as in import-linter and pydeps; and module names held as data and loaded by a
registry at run time — `jobs.registry.BUILTIN_MODULES`, `connectors.registry.PROVIDER_MODULES`, the
CLI's lazy command table. Those registries are where the direction is turned round on purpose: a
feature imports `jobs.registry` to declare its tasks, and the registry loads the feature by name without
depending on it, as a plug-in. Counting them would call every plug-in point a circle; the modules they
load are checked like any other. (`headwater.sync`'s lazy attributes name their modules under
`TYPE_CHECKING` too, so those dependencies are edges.)

A failure lists each circle: its modules, one loop through them, and every edge inside it. Break it by
moving what both sides need into a module below them, or by handing an object in instead of importing
its maker (as `jobs.dispatch.open_queue` hands `JobQueue` its dispatcher).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import headwater

PACKAGE_ROOT = Path(headwater.__file__).parent


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package by dotted name; a package is named by its `__init__`."""
    names: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _literal_import_module(node: ast.Call) -> str | None:
    """`importlib.import_module("headwater.x")` or `import_module("headwater.x")` with a literal."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called != "import_module" or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def imported_names(tree: ast.Module, name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The modules of the package that `tree` imports, by the rules of the module docstring."""
    package = _package_of(name, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - (node.level - 1)])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                yield candidate if candidate in modules else source
        elif isinstance(node, ast.Call):
            literal = _literal_import_module(node)
            if literal is not None:
                yield literal


def import_graph(root: Path = PACKAGE_ROOT) -> dict[str, set[str]]:
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {
            target
            for target in imported_names(tree, name, path, modules)
            if target in modules and target != name
        }
        graph[name] = targets
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components that hold a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def shortest_circle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete loop through the component's first module, for the failure message."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return component


def describe(graph: dict[str, set[str]], component: list[str]) -> str:
    members = set(component)
    edges = [f"    {a} -> {b}" for a in component for b in sorted(graph[a] & members)]
    loop = " -> ".join(shortest_circle(graph, component))
    return "\n".join([f"  {len(component)} modules, e.g. {loop}", *edges])


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_the_reader_sees_every_kind_of_import_and_reports_a_circle(tmp_path: Path) -> None:
    """A package whose circle is only visible through a relative, a deferred and a type-checking import."""
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.a import thing\n",
            "pkg/a.py": "from . import b\nthing = 1\n",
            "pkg/b.py": "def later() -> None:\n    from .sub import c\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "import typing\nif typing.TYPE_CHECKING:\n    from ..a import thing\n",
            "pkg/d.py": "import importlib\nimportlib.import_module('pkg.a')\nPLUGINS = ('pkg.b',)\n",
        },
    )
    graph = import_graph(package)
    assert graph == {
        "pkg": {"pkg.a"},  # a name handed on by a module: an edge to that module
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.sub.c"},
        "pkg.sub": set(),
        "pkg.sub.c": {"pkg.a"},
        "pkg.d": {"pkg.a"},  # a literal import_module counts; a name held as data does not
    }
    circles = strongly_connected(graph)
    assert circles == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert "pkg.a -> pkg.b -> pkg.sub.c -> pkg.a" in describe(graph, circles[0])


def test_the_reader_finds_the_deferred_imports_of_the_real_tree() -> None:
    graph = import_graph()
    assert "headwater.jobs.celery_app" in graph["headwater.jobs.engine"]  # inside a function
    assert "headwater.sync.runner" in graph["headwater.sync"]  # under TYPE_CHECKING
    assert "headwater.jobs.registry" in graph["headwater.jobs.queue"]  # `from headwater.jobs import registry`


def test_no_import_circle() -> None:
    graph = import_graph()
    circles = strongly_connected(graph)
    report = "\n".join(describe(graph, component) for component in circles)
    assert not circles, f"{len(circles)} import circle(s) in src/headwater:\n{report}"
