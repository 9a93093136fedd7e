"""What a relay mode is, and the registry every list of modes is derived from."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from cocair_sim import plugins

if TYPE_CHECKING:
    from cocair_sim.intel.relay.hub import CoordinationHub
    from cocair_sim.intel.reports import Alert, IntelReport
    from cocair_sim.model.agents import ContactPoint
    from cocair_sim.model.model import CocairModel


RELAY_STREAM = 3  # the relay modes' streams, apart from the model's others (see model.py)


def stream_key(name: str) -> int:
    """A stable number for a mode's name (the same in every process and Python version)."""
    return zlib.crc32(name.encode("utf-8"))


class RelayMode:
    """How a national contact point passes a seizure report on to other countries.

    A mode is declared once, as a subclass registered with `register_relay_mode`: its `name`
    (what scenario files, experiment conditions and `--relay` say), its `label` and
    `description` (the classroom page, reports), the `colour` of its alerts on maps, and its
    behaviour, `forward`. The model creates one instance per run. The scenario schema, the
    command line, the classroom page and the figures all list the registered modes.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    colour: ClassVar[str] = "tab:gray"
    # A mode whose decisions come from people (the classroom exercise) rather than a rule:
    # lists of automatic modes to compare (the classroom page, the debrief) leave it out.
    needs_people: ClassVar[bool] = False

    def __init__(self, model: CocairModel):
        self.model = model
        # The mode's own random stream, keyed by its name: what it draws changes no other draw
        # of the run, so runs of different modes stay paired until a relayed message changes a
        # decision.
        self.rng = np.random.default_rng(
            np.random.SeedSequence(model.seed, spawn_key=(RELAY_STREAM, stream_key(self.name)))
        )

    @property
    def hub(self) -> CoordinationHub | None:
        """The coordination hub this mode relays through, if any (drawn on maps)."""
        return None

    def forward(self, contact_point: ContactPoint, report: IntelReport, t: float) -> None:
        """`contact_point` holds `report` at hour `t` while relay is active: send it on."""
        raise NotImplementedError  # every registered mode defines it

    def flag(self, report: IntelReport, t: float) -> None:
        """The hub's own check of passenger data flagged a passenger: modes that relay through
        a hub (`hub` is not None) pass the name on; the model asks no other mode."""
        raise TypeError(f"relay mode '{self.name}' has no hub to pass a flag on")

    def admits(self, alert: Alert) -> bool:
        """Whether an alert that reaches an airport goes on its board now; a mode may hold it
        for a decision and post it later (`CustomsUnit.post_alert`)."""
        return True


_MODES: dict[str, type[RelayMode]] = {}


def register_relay_mode[M: type[RelayMode]](mode: M) -> M:
    """Register a relay mode (usable as a class decorator); a name can be registered once."""
    if not (isinstance(mode, type) and issubclass(mode, RelayMode)):
        raise TypeError(f"a relay mode must be a RelayMode subclass, not {mode!r}")
    name = getattr(mode, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"relay mode {mode.__name__} needs a `name` that is an identifier")
    if name in _MODES and _MODES[name] is not mode:
        raise ValueError(f"relay mode '{name}' is already registered")
    for attribute in ("label", "description"):
        if not isinstance(getattr(mode, attribute, None), str):
            raise ValueError(f"relay mode '{name}' needs a `{attribute}`")
    _MODES[name] = mode
    return mode


def unregister_relay_mode(name: str) -> None:
    """Remove a registered mode (for plug-ins and tests that add one for a while)."""
    _MODES.pop(name, None)


def relay_modes() -> dict[str, type[RelayMode]]:
    """Registered modes by name, in the order they were registered: the built-in ones, then
    those of installed plug-ins (entry point group `cocair_sim.relay_modes`)."""
    plugins.load_group("relay_modes", register_relay_mode)
    return dict(_MODES)


def relay_mode_names() -> list[str]:
    """Every registered mode's name, in registry order."""
    return list(relay_modes())


def automatic_mode_names() -> list[str]:
    """The modes that decide by a rule (not `needs_people`): what a class is compared with."""
    return [name for name, mode in relay_modes().items() if not mode.needs_people]


def get_relay_mode(name: str) -> type[RelayMode]:
    """The registered mode `name`; KeyError naming the known modes otherwise."""
    modes = relay_modes()
    if name not in modes:
        raise KeyError(f"unknown relay mode '{name}' (known: {', '.join(modes)})")
    return modes[name]
