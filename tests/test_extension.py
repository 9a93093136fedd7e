"""Each extension point has one home: a relay mode, a metric and a figure, each declared once,
flow through a run, an experiment's tables, the report, the command line and the page.

The throwaway relay mode `broadcast` sends every report straight to every other country; the
throwaway metric `kg_per_courier` is the mean load of the couriers sent; the throwaway figure
draws that metric per condition.
"""

from __future__ import annotations

import csv

import pytest
import yaml
from click.testing import CliRunner

from cocair_sim.intel.relay import (
    RelayMode,
    register_relay_mode,
    relay_mode_names,
    unregister_relay_mode,
)
from cocair_sim.model import metrics
from cocair_sim.model.metrics import Metric
from cocair_sim.report import registry
from cocair_sim.report.registry import FigureSpec
from tests.helpers import CLASSROOM


class BroadcastRelay(RelayMode):
    name = "broadcast"
    label = "broadcast to everyone"
    description = "every report goes straight to every other country"
    colour = "tab:red"

    def forward(self, contact_point, report, t) -> None:
        for other in contact_point.peers:  # the same agency's contact points
            if other is not contact_point:
                self.model.relay_message(t, other, report, self.name)


KG_PER_COURIER = Metric(
    "kg_per_courier",
    "mean load of a courier sent",
    lambda t, m: t["shipped_g"] / 1000.0 / t["couriers_sent"] if t["couriers_sent"] else 0.0,
    "kg",
    operation=True,
    daily=True,
)


def draw_kg_per_courier(ctx):
    """The throwaway figure: the metric's mean per condition."""
    from cocair_sim.report.draw.style import figure, info

    fig = figure(6, 4)
    ax = fig.subplots()
    values = {}
    for run in ctx.runs():
        values.setdefault(run.condition, []).append(run.metrics["kg_per_courier"])
    ax.bar(list(values), [sum(v) / len(v) for v in values.values()])
    ax.set_ylabel("kg per courier")
    return info(
        fig, ctx.folder, "kg_per_courier", "Load per courier", "A throwaway figure.", values
    )


@pytest.fixture
def extensions():
    register_relay_mode(BroadcastRelay)
    metrics.declare(KG_PER_COURIER)
    registry.register_figure(
        FigureSpec("kg_per_courier", "tests.test_extension:draw_kg_per_courier")
    )
    try:
        yield
    finally:
        unregister_relay_mode("broadcast")
        metrics.withdraw("kg_per_courier")
        registry.unregister_figure("kg_per_courier")


def test_a_registered_mode_runs_and_is_listed_everywhere(extensions, tmp_path):
    from cocair_sim.classroom.frames import channel_colours
    from cocair_sim.cli import main
    from cocair_sim.model.model import CocairModel
    from cocair_sim.model.outputs import daily_rows, summarise
    from cocair_sim.scenario import load_scenario, scenario_json_schema

    assert "broadcast" in relay_mode_names()
    relay_schema = scenario_json_schema()["$defs"]["RelaySpec"]["properties"]["mode"]
    assert "broadcast" in relay_schema["enum"]
    assert channel_colours()["broadcast"] == "tab:red"  # the page's alert lines

    spec = load_scenario(CLASSROOM, {"relay.mode": "broadcast", "relay.active": "always"})
    model = CocairModel(spec, seed=3).run()
    reached = {e.airport for e in model.events if e.event == "alert_delivered"}
    broadcast = [e for e in model.events if e.channel == "broadcast"]
    assert broadcast and reached  # reports went abroad on the new channel
    countries = model.network.airport_country
    seized_in = {e.report: countries[e.airport] for e in model.events if e.event == "report"}
    assert any(countries[e.airport] != seized_in[e.report] for e in broadcast)
    none = CocairModel(load_scenario(CLASSROOM, {"relay.mode": "none"}), seed=3).run()
    assert not any(e.channel == "broadcast" for e in none.events)
    # Every relayed message is counted: one per other country, for each report forwarded.
    forwarded = len(model.contact_points["customs"]) - 1
    reports = sum(1 for e in model.events if e.event == "report")
    assert model.counts["messages"] - none.counts["messages"] >= forwarded  # at least one
    assert model.counts["messages"] > none.counts["messages"] + reports
    # The metric: in the summary, the operation block and the daily series.
    summary = summarise(model)
    expected = summary["kg_shipped"] / summary["couriers_sent"]
    assert summary["kg_per_courier"] == pytest.approx(expected, abs=1e-6)
    assert 0 < summary["operation"]["kg_per_courier"] < 20
    header, rows = daily_rows(model)
    column = header.index("kg_per_courier")
    assert rows[-1][column] == pytest.approx(summary["kg_per_courier"], abs=1e-6)

    # The command line takes the mode and prints the metric.
    out = tmp_path / "cli-run"
    result = CliRunner().invoke(
        main, ["run", str(CLASSROOM), "--relay", "broadcast", "--out", str(out), "--no-figures"]
    )
    assert result.exit_code == 0, result.output
    assert "mean load of a courier sent" in result.output
    refused = CliRunner().invoke(main, ["run", str(CLASSROOM), "--relay", "carrier-pigeon"])
    assert refused.exit_code == 2 and "broadcast" in refused.output


def test_mode_metric_and_figure_flow_through_an_experiment_and_its_report(extensions, tmp_path):
    from cocair_sim import run_experiment

    doc = {
        "name": "extension",
        "scenario": str(CLASSROOM),
        "baseline": "none",
        "replications": 4,
        "base_seed": 5,
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "broadcast", "set": {"relay.mode": "broadcast"}},
        ],
        "metrics": ["operation.kg_seized", "kg_per_courier", "operation.kg_per_courier"],
    }
    path = tmp_path / "extension.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = tmp_path / "out"
    result = run_experiment(path, out, workers=1)

    with open(out / "runs.csv", newline="") as fh:
        runs = list(csv.DictReader(fh))
    assert {r["condition"] for r in runs} == {"none", "broadcast"}
    assert all(float(r["kg_per_courier"]) > 0 for r in runs)
    assert "operation.kg_per_courier" in runs[0]
    with open(out / "summary.csv", newline="") as fh:
        summary = list(csv.DictReader(fh))
    rows = [r for r in summary if r["metric"] == "kg_per_courier"]
    assert {r["condition"] for r in rows} == {"none", "broadcast"}
    paired = next(r for r in rows if r["condition"] == "broadcast")
    assert int(paired["n"]) == 4 and float(paired["ci_low"]) <= float(paired["mean"])
    assert any(r["metric"] == "kg_per_courier" for r in result.summary)

    report = (out / "report.md").read_text()
    assert "mean load of a courier sent" in report  # the metric's label
    assert "Load per courier" in report and (out / "figures" / "kg_per_courier.png").is_file()
    assert "'broadcast'" in report
