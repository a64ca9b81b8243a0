"""The shape of the code: one installed name, layers that point one way, no import circles.

Every module of the distribution gets a layer by its package (the longest prefix below wins);
a module may import its own layer and the layers below it, never above. Within a layer the
imports must not form a circle. Read from the source, so a lazy import inside a function counts
as much as one at the top.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"lapor_hub": ROOT / "lapor_hub", "lapor_hub.streams": ROOT / "streams",
           "lapor_hub.schemas": ROOT / "schemas", "lapor_hub.connectors": ROOT / "connectors"}

#: package prefix -> layer (lower is more basic)
LAYERS = {
    "lapor_hub.errors": 0,
    "lapor_hub.schemas": 1,
    "lapor_hub.streams.core": 2,
    "lapor_hub.streams.directory": 2,
    "lapor_hub.streams.sla": 2,
    "lapor_hub.streams.routing": 3,
    "lapor_hub.streams.chain": 3,
    "lapor_hub.streams.broker": 3,
    "lapor_hub.streams.intake": 4,
    "lapor_hub.streams.identity": 4,
    "lapor_hub.streams.privacy": 4,
    "lapor_hub.connectors.sdk": 4,
    "lapor_hub.streams.lifecycle": 5,
    "lapor_hub.streams.readmodel": 6,
    "lapor_hub.streams.health": 7,
    "lapor_hub.connectors": 7,
    "lapor_hub.streams.web": 8,
    "lapor_hub.streams.demo": 9,
    "lapor_hub.streams.hub": 10,
    "lapor_hub.streams.worker": 11,
    "lapor_hub.streams.ops": 12,
    "lapor_hub.streams.cli": 13,
    "lapor_hub.streams": 13,
    "lapor_hub": 0,
}


def _modules() -> dict[str, Path]:
    found = {}
    for prefix, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if prefix == "lapor_hub" and parts and parts[0] in ("streams", "schemas", "connectors"):
                continue
            found[".".join([prefix, *parts])] = path
    return found


def _layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """Imports under ``if TYPE_CHECKING:``: a type named in an annotation, not a dependency at run time
    (``install(hub: Hub)`` in a flow names the assembly's type, as faust's flows name ``AppT``)."""
    guarded: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            guarded.update(n for stmt in node.body for n in ast.walk(stmt))
    return guarded


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    type_only = _type_only(tree)
    out = set()
    for node in ast.walk(tree):
        if node in type_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` depends on the module, not on the package's __init__
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {m: _imports(m, p, known) for m, p in modules.items()}


def test_no_module_imports_a_layer_above_its_own(graph):
    upward = sorted(f"{m} ({_layer(m)}) imports {d} ({_layer(d)})"
                    for m, deps in graph.items() for d in deps if _layer(d) > _layer(m))
    assert upward == []


def test_no_import_circles(graph):
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            # a package's __init__ re-exporting its modules is not a circle of meaning
            if len(component) > 1 and not _only_reexports(component):
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert circles == []


def _only_reexports(component: list[str]) -> bool:
    packages = [m for m in component if (_modules()[m].name == "__init__.py")]
    return len(packages) == 1 and all(m.startswith(packages[0]) for m in component)


def test_nothing_generic_is_installed_and_every_package_is():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    assert all(name == "lapor_hub" or name.startswith("lapor_hub.") for name in listed)
    present = {"lapor_hub"} | {
        ".".join([prefix, *init.parent.relative_to(folder).parts])
        for prefix, folder in FOLDERS.items() if prefix != "lapor_hub" for init in folder.rglob("__init__.py")}
    assert listed == present


def test_no_module_imports_the_old_generic_names():
    stale = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            stale += [f"{module}: {n}" for n in names if n.split(".")[0] in ("streams", "schemas", "connectors")]
    assert stale == []
