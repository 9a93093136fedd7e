"""Plug-ins: relay modes, metrics, figures and commands from other installed packages.

A plug-in package declares entry points in its `pyproject.toml`, one group per extension point:

    [project.entry-points."cocair_sim.relay_modes"]
    broadcast = "my_plugin.relay:BroadcastRelay"     # a RelayMode subclass
    [project.entry-points."cocair_sim.metrics"]
    kg_per_courier = "my_plugin.metrics:KG_PER_COURIER"  # a Metric
    [project.entry-points."cocair_sim.figures"]
    kg_per_courier = "my_plugin.figures:FIGURE"       # a FigureSpec
    [project.entry-points."cocair_sim.commands"]
    hello = "my_plugin.cli:hello"                     # a click command

Each registry loads its group the first time it is asked for what it holds, in whatever process
asks: the parent, a forked or forkserver worker, a Dask worker on another machine. So a plug-in
installed beside cocair-sim is found everywhere without being imported by hand. This module
imports nothing else of cocair-sim; the registries hand it the function that registers an object.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

GROUP_PREFIX = "cocair_sim."
GROUPS = ("relay_modes", "metrics", "figures", "commands")

_loaded: set[str] = set()


class PluginError(Exception):
    """An installed plug-in could not be loaded or registered: names the entry point."""


def load_group(group: str, register: Callable[[Any], Any]) -> None:
    """Load every entry point of `cocair_sim.<group>` once per process and hand each object to
    `register`. Later calls do nothing, so registries can call this on every look-up."""
    if group in _loaded:
        return
    if group not in GROUPS:
        raise ValueError(f"unknown plug-in group '{group}' (one of {', '.join(GROUPS)})")
    _loaded.add(group)  # first, so that a plug-in that looks itself up does not recurse
    for ep in sorted(entry_points(group=GROUP_PREFIX + group), key=lambda e: e.name):
        try:
            register(ep.load())
        except Exception as exc:
            raise PluginError(
                f"plug-in {ep.name} ({ep.value}) in {GROUP_PREFIX}{group} failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc


def installed(group: str) -> list[str]:
    """Names of the entry points installed in a group (whether loaded yet or not)."""
    return sorted(ep.name for ep in entry_points(group=GROUP_PREFIX + group))
