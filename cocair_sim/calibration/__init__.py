"""Calibration: the estimated parameters fitted to published results by ABC-SMC (pyabc).

`spec` reads calibration files; `evaluate` runs the model for one set of parameter values;
`smc` sets up pyabc (priors, distance, samplers); `job` runs the generations on the job life
cycle and writes the posterior and the predictive check (the report is the report layer's).
"""

from cocair_sim.calibration.spec import Calibration, load_calibration

__all__ = ["Calibration", "load_calibration"]
