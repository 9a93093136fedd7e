"""The package's shape: no import cycles, and each layer imports only the layers below it.

Read from the source with `ast`: every `import` of a `cocair_sim` module counts, wherever it is
written (functions included), except under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "cocair_sim"

# The layers, bottom first. A part imports only parts of lower layers (never one of its own
# layer but itself, never one above): the directions form no cycle by construction, and a new
# upward import fails `test_each_part_imports_only_the_layers_below_it`. The model never
# imports jobs, the report or the page; experiments never import the report; statistics import
# nothing of the package.
LAYERS = [
    {"errors", "stats", "plugins", "shipped", "geo", "missing"},
    {"files"},
    {"intel"},  # relay modes: their names are what a scenario's `relay.mode` may say
    {"scenario"},
    {"model"},
    {"api", "jobs"},
    {"experiment"},
    {"science"},
    {"calibration"},
    {"report"},
    {"classroom"},
    {"workflows"},
    {"cli"},
    {"__main__"},
]
LEVEL = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path) -> set[str]:
    """cocair_sim modules a file imports at run time."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skip = _type_checking_blocks(tree)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cocair_sim"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("cocair_sim"):
                continue
            for alias in node.names:  # `from pkg import module` imports pkg.module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {m for m in found if m in MODULES and m != here}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def test_there_are_no_import_cycles():
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a part imports a part of its own layer or above. The
    root package (its version; the flat API imported on first use) counts for no layer."""
    wrong = []
    for module, imported in graph.items():
        mine = part(module)
        for other in imported:
            theirs = part(other)
            if theirs in (mine, "__init__"):
                continue
            if LEVEL[theirs] >= LEVEL[mine]:
                wrong.append((module, other))
    return sorted(wrong)


def test_every_part_has_a_layer():
    assert {part(m) for m in MODULES} - {"__init__"} <= set(LEVEL)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_part_imports_only_the_layers_below_it(module):
    wrong = [other for importer, other in upward_imports({module: GRAPH[module]})]
    assert not wrong, f"{module} imports {wrong}"


def test_an_upward_import_is_caught():
    # The check on a graph with one planted edge each way: down passes, up and sideways fail.
    down = {"cocair_sim.report.html": {"cocair_sim.experiment.tables"}}
    up = {"cocair_sim.experiment.tables": {"cocair_sim.report.html"}}
    sideways = {"cocair_sim.api": {"cocair_sim.jobs.runner"}}
    assert upward_imports(down) == []
    assert upward_imports(up) == [("cocair_sim.experiment.tables", "cocair_sim.report.html")]
    assert upward_imports(sideways) == [("cocair_sim.api", "cocair_sim.jobs.runner")]


def test_the_root_package_imports_nothing_at_import_time():
    # Its flat API is imported on first use (`__getattr__`), so `import cocair_sim` is light.
    assert GRAPH["cocair_sim"] == set()


def test_the_graph_is_read_correctly():
    # The checks above would pass on an empty graph: make sure edges are found.
    assert "cocair_sim.model.model" in GRAPH["cocair_sim.model.agents"] | GRAPH["cocair_sim.api"]
    assert "cocair_sim.scenario.network" in GRAPH["cocair_sim.scenario.loading"]
    assert "cocair_sim.intel.relay.base" in GRAPH["cocair_sim.intel.relay.hub"]
    assert "cocair_sim.model.model" not in GRAPH["cocair_sim.model.agents"]  # TYPE_CHECKING
