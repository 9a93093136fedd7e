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


def test_a_busy_port_is_one_line_before_any_link(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["exercise", str(CLASSROOM), "--port", str(port), "--out", str(tmp_path)]
        )
    assert result.exit_code == 2, result.output
    assert f"{port}" in result.output and "another program" in result.output
    assert "Trainer" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_resume_needs_a_logged_exercise_and_a_log_is_not_overwritten(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["exercise", "--resume", "--out", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no exercise to resume" in result.output
    from cocair_sim.classroom.exercise import Exercise, Settings

    Exercise.start(CLASSROOM, 3, Settings(), tmp_path / "class").close()
    result = CliRunner().invoke(main, ["exercise", "--out", str(tmp_path / "class")])
    assert result.exit_code == 2 and "--resume" in result.output and "--force" in result.output


def test_links_name_an_address_others_can_reach() -> None:
    from cocair_sim.cli.viz import bare_host, public_host, url_host

    assert bare_host("[::1]") == "::1" and url_host("::1") == "[::1]"
    assert public_host("127.0.0.1") == "127.0.0.1" and public_host("[::1]") == "[::1]"
    shared = public_host("0.0.0.0")
    assert shared not in ("0.0.0.0", "") and not shared.startswith("[")


def test_offline_without_the_pages_assets_says_so_within_ten_seconds(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    env = {
        **__import__("os").environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(tmp_path / "empty-cache"),
        "NPM_CONFIG_REGISTRY": "http://127.0.0.1:9/",  # nothing there: a cut network
        "PATH": "/usr/bin:/bin",  # whether or not npm is installed
    }
    from cocair_sim.classroom.browser import free_port

    for command in ("viz", "exercise"):
        started = time.monotonic()
        res = subprocess.run(
            [sys.executable, "-m", "cocair_sim", command, "--port", str(free_port()),
             "--out" if command == "exercise" else "--host",
             str(tmp_path / "out") if command == "exercise" else "127.0.0.1"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert time.monotonic() - started < 10, command
        assert res.returncode == 2, res.stderr
        assert "connection once" in res.stderr and "Traceback" not in res.stderr
