"""cocair-sim: an agent-based simulation of airport drug interdiction and intelligence relay,
modelled on Operation COCAIR III (WCO, INTERPOL, European Commission, UNODC, 2011)."""

__version__ = "0.1.0"


def run_model(**params):
    """Run one simulation and return a dict of scalar outcomes (see `cocair_sim.api`)."""
    from cocair_sim.api import run_model as _run_model

    return _run_model(**params)
