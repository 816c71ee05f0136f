"""The project's own modules stay easy to read and to change: no import cycles, no oversized files, views apart.

The import graph is read from the source with `ast` (nothing is imported). An edge is an import that runs
when the module is loaded: module-level imports, including those under `try` or an `if` at module level,
but not those under `if TYPE_CHECKING:` and not those inside functions (those run later and are counted
separately, so their number can be watched). Importing `a.b.c` also loads the packages `a` and `a.b` first,
so those are edges too, except for the importer's own enclosing packages (loading them is already under way
when the importer runs). A second test adds the imports inside functions: one of those closing a cycle is
a cycle dodged, not removed.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS = ("rtcc", "cameras", "plates", "incidents", "registry", "footage")
SIZE_EXEMPT = ("plates", "alpr", "training")  # the model-training scripts (migrations are skipped everywhere)
MAX_LINES = 500


def project_files():
    for app in APPS:
        root = REPO / app
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(REPO).parts
            if "migrations" in parts:
                continue
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def every_import(tree: ast.Module):
    """Every import statement, also inside functions, except those under `if TYPE_CHECKING:`."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped:
            yield node


def module_level_imports(tree: ast.Module):
    """Import statements that run when the module is loaded."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                pending.extend(node.body)
            pending.extend(node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)
        elif isinstance(node, ast.With):
            pending.extend(node.body)


def deferred_imports(tree: ast.Module) -> int:
    """How many import statements sit inside functions (they run when called, not when loaded)."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            count += sum(
                isinstance(inner, ast.Import | ast.ImportFrom)
                for inner in ast.walk(node)
                if inner is not node and not isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return count


def import_graph(imports=None):
    """{module: {imported project module: line}} over the project's own modules (module-level imports by default)."""
    imports = imports or module_level_imports
    modules = {module_name(path): path for path in project_files()}
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        package = name if is_package(path) else name.rpartition(".")[0]
        own_packages = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        if is_package(path):
            own_packages.add(name)
        edges = {}
        for node in imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import name` loads pkg, and pkg.name too when that is a module.
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    loaded = ".".join(parts[:i])
                    if loaded in modules and loaded != name and loaded not in own_packages:
                        edges.setdefault(loaded, node.lineno)
        graph[name] = edges
    return graph


def find_cycles(graph):
    """Each strongly connected group of two or more modules (or a module importing itself), as one cycle path."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = iter(range(10**9))

    def visit(node):
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_one_cycle(graph, group) for group in groups]


def _one_cycle(graph, group):
    """A concrete path a -> b -> ... -> a through a strongly connected group, to name in the failure."""
    members, start = set(group), group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node]):
            if nxt == start:
                return " -> ".join([*paths[node], start])
            if nxt in members and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                frontier.append(nxt)
    return " <-> ".join(group)


def test_the_import_graph_has_no_cycles():
    graph = import_graph()
    assert "rtcc.settings" in graph and sum(map(len, graph.values())) > 100  # the walk found the project
    deferred = sum(deferred_imports(ast.parse(p.read_text())) for p in project_files())
    cycles = find_cycles(graph)
    assert not cycles, f"import cycles ({deferred} imports inside functions are not counted as edges):\n" + "\n".join(
        cycles
    )


def test_no_import_inside_a_function_closes_a_cycle():
    cycles = find_cycles(import_graph(every_import))
    assert not cycles, "import cycles dodged by importing inside a function:\n" + "\n".join(cycles)


def test_the_cycle_finder_names_a_cycle():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert find_cycles(graph) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b": 1}, "b": {}}) == []


def test_the_graph_counts_only_imports_that_run_at_load_time():
    tree = ast.parse(
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import cameras.models\n"
        "try:\n    import cv2\nexcept ImportError:\n    cv2 = None\n"
        "def f():\n    import plates.models\n    from . import services\n"
    )
    loaded = [ast.unparse(node) for node in module_level_imports(tree)]
    assert loaded == ["import os", "from typing import TYPE_CHECKING", "import cv2"]
    assert deferred_imports(tree) == 2
    everything = [ast.unparse(node) for node in every_import(tree)]
    assert "import cameras.models" not in everything and "import plates.models" in everything


def test_no_project_file_is_over_500_lines():
    too_long = []
    for path in project_files():
        parts = path.relative_to(REPO).parts
        if parts[: len(SIZE_EXEMPT)] == SIZE_EXEMPT:
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(REPO)}: {lines} lines")
    assert not too_long, f"split these by concern (at most {MAX_LINES} lines):\n" + "\n".join(too_long)


def is_view_module(name: str) -> bool:
    parts = name.split(".")
    return parts[-1] == "views" or parts[-1].endswith("_views") or "views" in parts[1:-1]


def test_no_view_module_imports_another_apps_views():
    offenders = []
    for path in project_files():
        name = module_name(path)
        if not is_view_module(name):
            continue
        app = name.split(".")[0]
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):  # at any depth: a deferred import of another app's views counts too
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] != app and target.split(".")[0] in APPS and is_view_module(target):
                    offenders.append(f"{name} imports {target} (line {node.lineno})")
                    break
    assert not offenders, "compose other apps' panels through their selectors instead:\n" + "\n".join(offenders)
