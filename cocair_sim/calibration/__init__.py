"""Calibration: the estimated parameters fitted to published results by ABC-SMC (pyabc).

`spec` reads calibration files; `evaluate` runs the model for one set of parameter values;
`smc` sets up pyabc (priors, distance, samplers); `pipeline` runs the generations and writes the
posterior, the predictive check, the report and the manifest.
"""

from cocair_sim.calibration.spec import Calibration, load_calibration

__all__ = ["Calibration", "load_calibration"]
