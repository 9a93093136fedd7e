"""Reports, alerts and the alert board."""

from __future__ import annotations

from cocair_sim.intel.reports import PROFILE_ROUTE, Alert, AlertBoard, IntelReport


def test_alert_board_indexes_by_key():
    board = AlertBoard()
    report = IntelReport(1, 10.0, 0, 0, 5, None, 3, (0, 2), "GRU-LIS/1", (0, 1, 2))
    alert = Alert(1, report, "hub", 1, 10.0, 12.0, 100.0)
    board.post(alert)
    assert board.active == 1
    key = (PROFILE_ROUTE, 3, (0, 2))
    assert board.match((key,), ("org", "X"), recognised=True) is alert
    assert board.match(((PROFILE_ROUTE, 4, (0, 2)),), ("org", "X"), recognised=True) is None
    board.withdraw(alert)
    assert board.active == 0 and not board.by_key
