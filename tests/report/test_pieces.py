"""The report's pieces on their own: numbers as people read them, the sentence each summary row
becomes, when a difference is called significant, and tables that keep their cells apart."""

from __future__ import annotations

import math

import pytest

from cocair_sim.missing import NOT_AVAILABLE
from cocair_sim.report.html import (
    finding,
    fmt_p,
    fmt_pct,
    fmt_value,
    html_table,
    md_table,
    significant,
)


def _row(**overrides) -> dict:
    row = {
        "condition": "hub",
        "baseline": "none",
        "metric": "operation.kg_seized",
        "n": 40,
        "mean": 22.0,
        "diff_mean": 2.0,
        "diff_ci_low": 0.5,
        "diff_ci_high": 3.5,
        "rel_change": 0.1,
        "rel_ci_low": 0.02,
        "rel_ci_high": 0.18,
        "wilcoxon_p": 0.01,
    }
    return {**row, **overrides}


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234.5, "1,234"), (99.94, "99.9"), (0.012345, "0.0123"), (-3.0, "-3"), (None, NOT_AVAILABLE),
     (math.nan, NOT_AVAILABLE)],
)  # fmt: skip
def test_values_are_shown_to_three_figures_or_whole_numbers(value, shown):
    assert fmt_value(value) == shown


def test_shares_and_p_values_read_as_people_write_them():
    assert fmt_pct(0.1449) == "14.5" and fmt_pct(math.nan) == NOT_AVAILABLE
    assert fmt_p(0.00001) == "< 0.0001" and fmt_p(0.0312) == "= 0.031"


@pytest.mark.parametrize(
    ("changes", "called"),
    [({}, True), ({"wilcoxon_p": 0.2}, False), ({"diff_ci_low": -0.1}, False),
     ({"diff_mean": -2, "diff_ci_low": -3.5, "diff_ci_high": -0.5}, True),
     ({"wilcoxon_p": math.nan}, False)],
)  # fmt: skip
def test_a_difference_is_significant_only_with_p_below_5_percent_and_a_ci_off_zero(changes, called):
    assert significant(_row(**changes)) is called


def test_a_finding_says_which_way_by_how_much_and_on_what_evidence():
    text = finding(_row(), 20.0, "relay through the hub")
    assert text.startswith("Condition 'hub' (relay through the hub) raised")
    assert "by 10.0 %" in text and "95 % CI 2.0 % to 18.0 %" in text
    assert "Wilcoxon p = 0.01" in text and "40 paired replications" in text
    assert "mean 22 vs 20" in text
    lower = finding(_row(rel_change=-0.1, rel_ci_low=-0.18, rel_ci_high=-0.02), 20.0)
    assert "lowered" in lower
    none = finding(_row(wilcoxon_p=0.4, diff_ci_low=-1.0), 20.0)
    assert "made no significant difference" in none and "raised" not in none


def test_tables_escape_their_cells():
    html = html_table(["a<b", "c"], [["<script>", "x|y"]])
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&lt;b" in html
    md = md_table(["a", "b"], [["x|y", "z"]])
    assert md.splitlines()[2] == "| x\\|y | z |"
