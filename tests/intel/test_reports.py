"""Reports, alerts and the alert board."""

from __future__ import annotations

from cocair_sim.intel.reports import (
    CUSTOMS,
    ORG,
    POLICE,
    PROFILE_FLIGHT,
    PROFILE_ROUTE,
    Alert,
    AlertBoard,
    IntelReport,
)


def report(organisation=None) -> IntelReport:
    return IntelReport(1, 10.0, 0, 0, 5, organisation, 3, (0, 2), "GRU-LIS/1", (0, 1, 2))


def test_alert_board_indexes_by_key():
    board = AlertBoard()
    alert = Alert(1, report(), CUSTOMS, "hub", 1, 10.0, 12.0, 100.0)
    board.post(alert)
    assert board.active == 1
    key = (PROFILE_ROUTE, 3, (0, 2))
    match = board.match((key,), (ORG, "X"), recognised=True)
    assert match.alert is alert and match.kind == PROFILE_ROUTE and not match.named
    assert board.match(((PROFILE_ROUTE, 4, (0, 2)),), (ORG, "X"), recognised=True) is None
    board.withdraw(alert)
    assert board.active == 0 and not board.by_key


def test_each_agency_alerts_on_what_it_can_act_on():
    named = report("Andean cartel")
    assert named.keys[CUSTOMS] == (
        (PROFILE_ROUTE, 3, (0, 2)),
        (PROFILE_FLIGHT, 3, "GRU-LIS/1"),
    )
    assert named.keys[POLICE] == ((ORG, "Andean cartel"),)
    assert report().keys[POLICE] == ()  # the courier named nobody: nothing for the police
    board = AlertBoard()
    board.post(Alert(2, named, POLICE, "national", 1, 10.0, 12.0, 100.0))
    courier_keys = named.keys[CUSTOMS]
    # A police alert flags a member of the organisation only when checks recognise them.
    assert board.match(courier_keys, (ORG, "Andean cartel"), recognised=False) is None
    assert board.match(courier_keys, (ORG, "Andean cartel"), recognised=True) is not None
