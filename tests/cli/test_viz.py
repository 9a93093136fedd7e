"""Fast checks of `cocair viz` (no server started; the page itself: tests/classroom)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cocair_sim.cli import main
from tests.helpers import CLASSROOM


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
