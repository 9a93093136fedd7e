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

# What each part may import (besides itself). The model never imports the command line, the
# report, the experiment runner or the classroom page; the scenario format knows of relay modes
# (their names are what `relay.mode` may say) and nothing of the model.
ALLOWED = {
    "errors": set(),
    "files": {"errors"},
    "shipped": set(),
    "intel": set(),
    "scenario": {"errors", "files", "intel"},
    "model": {"errors", "files", "scenario", "intel"},
    "outputs": {"model", "scenario"},
    "geo": set(),
    "api": {"shipped", "model", "outputs", "scenario"},
    "science": {
        "errors",
        "files",
        "scenario",
        "model",
        "outputs",
        "experiment",
        "report",
        "shipped",
    },
    "experiment": {"errors", "files", "scenario", "model", "outputs", "science", "report"},
    "calibration": {"errors", "files", "scenario", "model", "experiment", "report"},
    "report": {"errors", "files", "scenario", "model", "experiment", "science", "geo", "intel"},
    "classroom": {"errors", "shipped", "scenario", "model", "outputs", "intel", "geo"},
    "cli": {"*"},
    "__init__": {"api"},
    "__main__": {"cli"},
}


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


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_part_imports_only_the_layers_below_it(module):
    mine = part(module)
    allowed = ALLOWED[mine]
    if "*" in allowed:
        return
    allowed = allowed | {"__init__"}  # the root package: its version, nothing else at import
    wrong = sorted(m for m in GRAPH[module] if part(m) != mine and part(m) not in allowed)
    assert not wrong, f"{module} imports {wrong}"


def test_the_graph_is_read_correctly():
    # The checks above would pass on an empty graph: make sure edges are found.
    assert "cocair_sim.model.model" in GRAPH["cocair_sim.model.agents"] | GRAPH["cocair_sim.api"]
    assert "cocair_sim.scenario.network" in GRAPH["cocair_sim.scenario.loading"]
    assert "cocair_sim.intel.relay.base" in GRAPH["cocair_sim.intel.relay.hub"]
    assert "cocair_sim.model.model" not in GRAPH["cocair_sim.model.agents"]  # TYPE_CHECKING
