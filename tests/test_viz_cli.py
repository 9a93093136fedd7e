"""Fast checks of `cocair viz` (no server started) and of the classroom page's event feed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cocair_sim.app import build_twin, describe_events, status_line
from cocair_sim.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = REPO_ROOT / "scenarios" / "classroom.yaml"


def test_viz_help_is_registered() -> None:
    result = CliRunner().invoke(main, ["viz", "--help"])
    assert result.exit_code == 0, result.output
    assert "--allow-remote" in result.output


def test_viz_refuses_remote_host_without_allow_remote() -> None:
    result = CliRunner().invoke(main, ["viz", str(CLASSROOM), "--host", "0.0.0.0"])
    assert result.exit_code == 2, result.output
    assert "--host" in result.output and "--allow-remote" in result.output


def test_viz_rejects_a_broken_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["viz", str(bad)])
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output
    assert "Traceback" not in result.output


def test_event_feed_sentence_for_a_classroom_run() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "1")
    assert not twin.error
    for _ in range(9):
        twin.step()
    relay = twin.models["relay"]
    feed = describe_events(relay, 15)
    assert (
        "Day 8, 17:30: customs at FOR (Brazil) seized 4.1 kg (luggage) from a courier of the "
        "Lusophone network; the report reached the hub at 18:30 and 4 airports by day 9, 01:30"
    ) in feed
    assert (
        "Day 2, 04:30: customs at GRU (Brazil) seized 3.5 kg (luggage) from a courier of the "
        "Sahel network; the report alerted 1 airport by 06:30"
    ) in feed
    assert len(describe_events(relay, 3)) == 3
    # The twin without relay sends the same couriers; its seizure reports stay national.
    none_feed = describe_events(twin.models["none"], 50)
    assert not any("hub" in line for line in none_feed)
    assert status_line(relay).startswith("Day 9 (operation) — seized ")


def test_bad_seed_is_reported_not_raised() -> None:
    twin = build_twin(str(CLASSROOM), "hub", 6, 10, 1.0, 30, "abc")
    assert "seed" in twin.error and not twin.models
