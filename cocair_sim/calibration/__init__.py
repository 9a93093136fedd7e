"""Calibration: what the published results say about the estimated parameters, and about the
relay's effect.

`spec` reads calibration files; `table` simulates the reference table (draws from the priors,
each run under every automatic relay mode on common random numbers) on the job life cycle;
`observables` declares what an operation could record beyond its published figures; `infer`
infers from the table (rejection with regression adjustment) and checks the inference by
simulation-based calibration; `analyses` says what the effect depends on, maps it, and asks
what recording more would settle; `job` writes it all (the report is the report layer's).
"""

from cocair_sim.calibration.spec import Calibration, load_calibration

__all__ = ["Calibration", "load_calibration"]
