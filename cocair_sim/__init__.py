"""cocair-sim: an agent-based simulation of airport drug interdiction and intelligence relay,
modelled on Operation COCAIR III (WCO, INTERPOL, European Commission, UNODC, 2011).

The public API, flat (each name is imported on first use, so `import cocair_sim` stays light):

    run_model(**params) -> dict          one run's scalar outcomes (EMA Workbench, SALib)
    run_scenario(scenario, out, ...)     one run written to a folder (`cocair run`)
    run_experiment(file, out, ...)       paired replications, tables, report (`cocair experiment`)
    run_sensitivity(file, out, ...)      SALib Morris or Sobol (`cocair sensitivity`)
    run_table(file, out, ...)           a calibration's reference table (`cocair table`)
    run_calibration(file, out, ...)      inference from it, and its checks (`cocair calibrate`)
    rewrite_report(folder)               a finished experiment's report again (`cocair report`)
    Options, Progress                    what every job takes, and what it tells a caller
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_API = {
    "run_model": "cocair_sim.api",
    "ScenarioModel": "cocair_sim.api",
    "run_scenario": "cocair_sim.workflows",
    "run_experiment": "cocair_sim.workflows",
    "run_sensitivity": "cocair_sim.workflows",
    "run_table": "cocair_sim.workflows",
    "run_calibration": "cocair_sim.workflows",
    "rewrite_report": "cocair_sim.workflows",
    "Options": "cocair_sim.jobs",
    "Progress": "cocair_sim.jobs",
}

__all__ = [  # noqa: RUF022 - the order of the docstring
    "__version__",
    "run_model",
    "ScenarioModel",
    "run_scenario",
    "run_experiment",
    "run_sensitivity",
    "run_table",
    "run_calibration",
    "rewrite_report",
    "Options",
    "Progress",
]

if TYPE_CHECKING:
    from cocair_sim.api import ScenarioModel, run_model
    from cocair_sim.jobs import Options, Progress
    from cocair_sim.workflows import (
        rewrite_report,
        run_calibration,
        run_experiment,
        run_scenario,
        run_sensitivity,
        run_table,
    )


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
