"""Fast checks of `cocair exercise` and of where the `human` relay mode may appear (no server
started; the pages themselves: tests/classroom/test_exercise_in_browser.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cocair_sim.cli import main
from tests.helpers import CLASSROOM


def test_exercise_help_is_registered() -> None:
    result = CliRunner().invoke(main, ["exercise", "--help"])
    assert result.exit_code == 0, result.output
    assert "--allow-remote" in result.output and "--seconds-per-day" in result.output
    assert "exercise" in CliRunner().invoke(main, ["--help"]).output


def test_exercise_refuses_remote_host_without_allow_remote() -> None:
    result = CliRunner().invoke(main, ["exercise", str(CLASSROOM), "--host", "0.0.0.0"])
    assert result.exit_code == 2, result.output
    assert "--allow-remote" in result.output


def test_exercise_rejects_a_broken_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["exercise", str(bad)])
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output and "Traceback" not in result.output


def test_the_human_mode_is_only_played_in_the_exercise(tmp_path: Path) -> None:
    # Without a class, `human` would silently be the hub: a run or a scenario asking for it is
    # refused, and the lists of modes a run offers leave it out.
    result = CliRunner().invoke(main, ["run", str(CLASSROOM), "--relay", "human"])
    assert result.exit_code == 2, result.output
    assert "human" in result.output
    assert "human" not in CliRunner().invoke(main, ["run", "--help"]).output
    text = CLASSROOM.read_text(encoding="utf-8").replace("mode: hub", "mode: human")
    scenario = tmp_path / "human.yaml"
    scenario.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(scenario)])
    assert result.exit_code == 2, result.output
    assert "human.yaml" in result.output and "relay.mode" in result.output
    assert "cocair exercise" in result.output
