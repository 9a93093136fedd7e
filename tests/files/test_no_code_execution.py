"""Nothing in an input file is ever executed: a static check of the package."""

from __future__ import annotations

import ast

from tests.helpers import ROOT

PACKAGE = ROOT / "cocair_sim"
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}


def test_package_never_evaluates_or_unpickles_input():
    """Static check of the whole package: no eval/exec, no pickle-like modules, and YAML only
    through the bounded safe loader."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                mod = getattr(node, "module", None) or ""
                for name in [mod, *names]:
                    if name.split(".")[0] in FORBIDDEN_MODULES:
                        problems.append(f"{where}: imports {name}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if isinstance(func, ast.Name) and name in {"eval", "exec", "compile"}:
                problems.append(f"{where}: calls {name}()")
            if name in {"unsafe_load", "full_load", "load_all", "unsafe_load_all"}:
                problems.append(f"{where}: calls yaml.{name}()")
            if name == "load" and isinstance(func, ast.Attribute):
                base = func.value
                if isinstance(base, ast.Name) and base.id == "yaml":
                    loader = {k.arg: k.value for k in node.keywords}.get("Loader")
                    if not (isinstance(loader, ast.Name) and loader.id == "_BoundedLoader"):
                        problems.append(f"{where}: yaml.load without the bounded safe loader")
    assert not problems, "\n".join(problems)


def test_bounded_loader_is_a_safe_loader():
    from yaml.constructor import SafeConstructor

    from cocair_sim.files.yamlio import _BoundedLoader

    assert issubclass(_BoundedLoader, SafeConstructor)
    assert "tag:yaml.org,2002:python/object/apply" not in _BoundedLoader.yaml_multi_constructors
