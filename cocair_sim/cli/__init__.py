"""The `cocair` command line. Every command is registered here, by name, from its module."""

from __future__ import annotations

import click

from cocair_sim.cli.calibrate import calibrate, table
from cocair_sim.cli.common import CocairGroup
from cocair_sim.cli.exercise import exercise
from cocair_sim.cli.experiment import experiment, report
from cocair_sim.cli.run import check, run, schema
from cocair_sim.cli.science import sensitivity, validate
from cocair_sim.cli.viz import viz


@click.group(cls=CocairGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cocair-sim")
def main() -> None:
    """cocair-sim: airport drug interdiction and intelligence relay (Operation COCAIR III).

    \b
    Typical use:
      cocair run                                   (the default COCAIR III scenario, hub relay)
      cocair experiment relay_modes                (then open results/relay_modes/report.html)
      cocair table calibration                     (the calibration's reference table)
      cocair calibrate calibration                 (infer the estimates from published results)
      cocair validate                              (against the published operations)
      cocair viz                                   (the classroom page in a browser)
      cocair exercise                              (teams play the contact points)
      cocair check scenarios/my_scenario.yaml
    """


for command in (
    run,
    experiment,
    report,
    table,
    calibrate,
    sensitivity,
    validate,
    viz,
    exercise,
    check,
    schema,
):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover - `python -m cocair_sim.cli`
    main()
