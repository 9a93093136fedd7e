"""cocair-sim: an agent-based simulation of airport drug interdiction and intelligence relay,
modelled on Operation COCAIR III (WCO, INTERPOL, European Commission, UNODC, 2011)."""

__version__ = "0.1.0"
