"""The scenario and experiment files that ship with cocair-sim.

There is one copy of each, in the repository's top-level `scenarios/` and `experiments/`
folders, where users look for them. A built wheel carries them as package data (setuptools maps
those folders into this package, see pyproject.toml); a checkout or an editable install reads
them where they are. Either way, `experiments/*.yaml` name their scenario as
`../scenarios/<file>`, which holds in both places.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEFAULT_SCENARIO = "cocair3"  # Operation COCAIR III, the default of `cocair run` and the API
CLASSROOM_SCENARIO = "classroom"
HEADLINE_EXPERIMENT = "relay_modes"


def folder(kind: str) -> Path:
    """The folder of shipped `scenarios` or `experiments`."""
    if kind not in ("scenarios", "experiments"):
        raise ValueError(f"no shipped folder '{kind}'")
    inside = Path(str(files(__name__))) / kind  # an installed wheel: package data
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / kind  # a checkout


def scenario(name: str = DEFAULT_SCENARIO) -> Path:
    """The path of a shipped scenario, by name (`cocair3`) or file name (`cocair3.yaml`)."""
    return folder("scenarios") / _yaml(name)


def experiment(name: str = HEADLINE_EXPERIMENT) -> Path:
    """The path of a shipped experiment file, by name or file name."""
    return folder("experiments") / _yaml(name)


def names(kind: str) -> list[str]:
    """Names of the shipped files of a kind, sorted."""
    return sorted(p.stem for p in folder(kind).glob("*.yaml"))


def resolve(given: str | Path | None, kind: str, default: str) -> Path:
    """A user's file argument: a path that exists, else the name of a shipped file (so
    `cocair run cocair3` works from any folder), else the path as given (whose loader then
    reports it missing). None means the default."""
    if given is None:
        return folder(kind) / _yaml(default)
    path = Path(given)
    if path.exists():
        return path
    if path.parent == Path(".") and (shipped := folder(kind) / _yaml(path.name)).is_file():
        return shipped
    return path


def _yaml(name: str) -> str:
    return name if name.endswith(".yaml") else f"{name}.yaml"
