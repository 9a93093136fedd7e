"""Plug-ins through entry points: a package installed beside cocair-sim adds a relay mode, a
metric, a figure and a command, and they reach every worker however it is started.

A small plug-in package is written to a temporary folder and installed with pip into a
temporary virtual environment that sees the project's own environment (a `.pth` file), the way
a user installs a plug-in beside cocair-sim. Its relay mode then runs in an experiment on a
forkserver pool (the workers import everything afresh) and on a Dask LocalCluster (workers are
separate processes started by Dask).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest
import yaml

from tests.helpers import CLASSROOM, read_csv

PLUGIN = '''
"""A plug-in for cocair-sim: every report straight to every other country."""

import click

from cocair_sim.intel.relay import RelayMode
from cocair_sim.model.metrics import Metric
from cocair_sim.report.registry import FigureSpec


class BroadcastRelay(RelayMode):
    name = "broadcast"
    label = "broadcast to everyone"
    description = "every report goes straight to every other country"
    colour = "tab:red"

    def forward(self, contact_point, report, t):
        for other in contact_point.peers:
            if other is not contact_point:
                self.model.relay_message(t + 1.0, other, report, self.name)


KG_PER_COURIER = Metric(
    "kg_per_courier",
    "mean load of a courier sent",
    lambda t, m: t["shipped_g"] / 1000.0 / t["couriers_sent"] if t["couriers_sent"] else 0.0,
    "kg",
    operation=True,
)


def draw_nothing(ctx):
    return None


FIGURE = FigureSpec("nothing", "cocair_broadcast:draw_nothing")


@click.command()
def hello():
    """Say hello from the plug-in."""
    click.echo("hello from cocair-broadcast")
'''

PYPROJECT = """
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "cocair-broadcast"
version = "0.1.0"

[tool.setuptools]
py-modules = ["cocair_broadcast"]

[project.entry-points."cocair_sim.relay_modes"]
broadcast = "cocair_broadcast:BroadcastRelay"

[project.entry-points."cocair_sim.metrics"]
kg_per_courier = "cocair_broadcast:KG_PER_COURIER"

[project.entry-points."cocair_sim.figures"]
nothing = "cocair_broadcast:FIGURE"

[project.entry-points."cocair_sim.commands"]
hello = "cocair_broadcast:hello"
"""

# Runs inside the plug-in's environment: the experiment with the plug-in's mode, on the
# backend named on the command line; prints what the tables say.
DRIVER = """
import json, sys
from cocair_sim import run_experiment


def main(experiment, out, backend):
    if backend == "dask":
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            address = cluster.scheduler_address
            return run_experiment(experiment, out, report=False, scheduler=address)
    return run_experiment(experiment, out, report=False, workers=2, start_method=backend)


if __name__ == "__main__":  # spawned workers import this file again
    print(json.dumps({"backend": main(*sys.argv[1:4]).backend}))
"""


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> Path:
    """A virtual environment with the project's packages and the plug-in installed by pip."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "cocair-broadcast"
    source.mkdir()
    (source / "cocair_broadcast.py").write_text(textwrap.dedent(PLUGIN))
    (source / "pyproject.toml").write_text(PYPROJECT)
    env = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # The project's environment (cocair-sim and what it needs) is a site directory of the new
    # one: its own .pth files (the editable install of cocair-sim) are read too.
    project = sysconfig.get_paths()["purelib"]
    (Path(site) / "project.pth").write_text(f"import site; site.addsitedir({project!r})\n")
    res = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--prefix", env, str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    return python


def _experiment(tmp_path: Path) -> Path:
    doc = {
        "name": "plugin",
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": 4,
        "base_seed": 3,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "broadcast", "set": {"relay.mode": "broadcast"}},
        ],
        "metrics": ["operation.kg_seized", "operation.kg_per_courier", "messages"],
    }
    path = tmp_path / "plugin.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _run(python: Path, *args, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd="/"
    )


def test_the_plugin_is_not_in_the_projects_own_environment():
    from cocair_sim.intel.relay import relay_mode_names
    from cocair_sim.model.metrics import declared

    assert "broadcast" not in relay_mode_names() and "kg_per_courier" not in declared()


def test_a_plugin_adds_its_command_and_the_registries_list_its_parts(plugin_env):
    res = _run(plugin_env, "-m", "cocair_sim", "hello")
    assert res.returncode == 0, res.stderr
    assert "hello from cocair-broadcast" in res.stdout
    listing = _run(
        plugin_env,
        "-c",
        "from cocair_sim.intel.relay import automatic_mode_names; "
        "from cocair_sim.model.metrics import declared; "
        "from cocair_sim.report.registry import figures; "
        "print(automatic_mode_names(), 'kg_per_courier' in declared(), list(figures())[-1])",
    )
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.strip() == "['none', 'bilateral', 'hub', 'broadcast'] True nothing"


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.parametrize("backend", ["forkserver", "spawn", "dask"])
def test_a_plugins_relay_mode_runs_on_every_backend(plugin_env, tmp_path, backend):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    out = tmp_path / "out"
    res = _run(plugin_env, driver, _experiment(tmp_path), out, backend)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["backend"] == (
        "dask" if backend == "dask" else "local"
    )
    rows = read_csv(out / "runs.csv")
    assert len(rows) == 8
    broadcast = [r for r in rows if r["condition"] == "broadcast"]
    none = [r for r in rows if r["condition"] == "none"]
    # The plug-in's metric was computed in the workers, and its mode relayed (through
    # relay_message, so every message is counted).
    assert all(float(r["operation.kg_per_courier"]) > 0 for r in rows)
    assert sum(float(r["messages"]) for r in broadcast) > sum(float(r["messages"]) for r in none)
