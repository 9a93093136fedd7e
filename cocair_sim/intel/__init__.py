"""Intelligence and its relay: seizure reports, alerts and alert boards (`reports`), and the
relay modes that carry reports between contact points (`relay`)."""
