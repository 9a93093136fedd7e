"""Relay modes, the main experimental factor: how seizure reports travel between countries.

Each mode is one module declaring one registered `RelayMode` (its name, label and behaviour);
the built-in ones are `none`, `bilateral` and `hub`. To add a mode, see CONTRIBUTING in the
README: write a module like `bilateral.py` and import it (built-in modes are imported below).
"""

# The built-in modes register themselves on import, in the order lists show them.
from cocair_sim.intel.relay import bilateral, hub, none  # noqa: F401
from cocair_sim.intel.relay.base import (
    RelayMode,
    get_relay_mode,
    register_relay_mode,
    relay_mode_names,
    relay_modes,
    unregister_relay_mode,
)

__all__ = [
    "RelayMode",
    "get_relay_mode",
    "register_relay_mode",
    "relay_mode_names",
    "relay_modes",
    "unregister_relay_mode",
]
