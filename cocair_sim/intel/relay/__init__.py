"""Relay modes, the main experimental factor: how seizure reports travel between countries.

Each mode is one module declaring one registered `RelayMode` (its name, label and behaviour);
the built-in ones are `none`, `bilateral`, `hub` and `human` (decisions taken by a class in the
exercise, the others' behaviour otherwise). To add a mode, write a module like `bilateral.py`
and name it in `BUILT_IN` below, or install it as a plug-in (CONTRIBUTING.md).
"""

from importlib import import_module

from cocair_sim.intel.relay.base import (
    RelayMode,
    automatic_mode_names,
    get_relay_mode,
    register_relay_mode,
    relay_mode_names,
    relay_modes,
    unregister_relay_mode,
)

__all__ = [
    "RelayMode",
    "automatic_mode_names",
    "get_relay_mode",
    "register_relay_mode",
    "relay_mode_names",
    "relay_modes",
    "unregister_relay_mode",
]

# The built-in modes register themselves on import, in the order lists show them.
BUILT_IN = ("none", "bilateral", "hub", "human")
for _module in BUILT_IN:
    import_module(f"{__name__}.{_module}")
