"""A built wheel works anywhere: `pip install` of it into a fresh venv outside the checkout gives
a working `cocair run` (default scenario), `cocair experiment` on a shipped file, `cocair
validate`, `cocair viz` and `cocair exercise`. The install is a real one, dependencies included
(from pip's cache after the project's own setup, else from PyPI).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from cocair_sim.classroom.browser import free_port
from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def run(*args, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    res = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert res.returncode == 0, f"{args}\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with only the built wheel installed, and the environment to run it in."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # built from a copy: the build leaves build/ and *.egg-info behind
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("cocair_sim", "scenarios", "experiments"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    dist = tmp / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, source, cwd=tmp)
    wheel = next(dist.glob("cocair_sim-*.whl"))
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        wheel, cwd=tmp)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))} | {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # The page's web assets as the project's setup cached them (no download here).
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(Path(sys.prefix) / "share" / "solara" / "cdn"),
    }
    return venv, env


def test_the_wheel_is_installed_apart_from_the_checkout(installed, tmp_path):
    venv, env = installed
    where = run(
        venv / "bin" / "python",
        "-c",
        "import cocair_sim, cocair_sim.shipped as s; print(cocair_sim.__file__); "
        "print(s.scenario()); print(s.experiment())",
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all(str(venv) in line for line in where), where
    assert all(not line.startswith(str(ROOT)) for line in where), where


def test_run_experiment_and_validate_from_the_wheel(installed, tmp_path):
    venv, env = installed
    cocair = venv / "bin" / "cocair"
    res = run(cocair, "run", "--days", 22, "--out", "run", cwd=tmp_path, env=env)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario"] == "COCAIR III (2011)" and summary["days"] == 22
    assert (tmp_path / "run" / "figures" / "map.png").stat().st_size > 10_000  # offline map
    assert "results in" in res.stdout

    run(cocair, "experiment", "relay_modes", "--replications", 2, "--workers", 2,
        "--out", "exp", cwd=tmp_path, env=env)  # fmt: skip
    assert len((tmp_path / "exp" / "runs.csv").read_text().splitlines()) == 1 + 3 * 2
    assert (tmp_path / "exp" / "report.html").stat().st_size > 50_000

    res = run(cocair, "validate", "--replications", 20, cwd=tmp_path, env=env)
    assert "COCAIR III" in res.stdout


@pytest.mark.parametrize(("command", "says"), [("viz", "classroom"), ("exercise", "trainer:")])
def test_the_pages_are_served_from_the_wheel(installed, tmp_path, command, says):
    venv, env = installed
    port = free_port()
    proc = subprocess.Popen(
        [venv / "bin" / "cocair", command, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        assert "solara" in page.lower()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert says in output.lower() and "Traceback" not in output


def test_pyproject_lists_every_subpackage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "cocair_sim").rglob("*.py")
    }
    assert on_disk <= listed, sorted(on_disk - listed)
    for package, folder in config["package-dir"].items():
        assert (ROOT / folder).is_dir() and package in listed
