"""Run cocair-sim through `mesa.batch_run`, Mesa's own parameter-sweep helper.

`cocair_sim.api.ScenarioModel` builds the model from a scenario path and keyword overrides
(dots written as `__`), which is what `batch_run` passes. `cocair experiment` does the same job
with paired seeds, a resumable store and statistics; this is for people who already use Mesa's
tooling.

    python examples/batch_run.py
"""

from __future__ import annotations

import mesa
import pandas as pd

from cocair_sim.api import ScenarioModel

SCENARIO = "classroom"  # a shipped scenario, by name (or a path to a scenario file)


def main(seeds=range(5), processes: int = 1) -> pd.DataFrame:
    results = mesa.batch_run(
        ScenarioModel,
        parameters={"scenario": SCENARIO, "relay_mode": ["none", "hub"]},
        rng=list(seeds),
        data_collection_period=-1,  # the final day only
        number_processes=processes,
        display_progress=False,
    )
    return pd.DataFrame(results)


if __name__ == "__main__":
    frame = main()
    print(frame.groupby("relay_mode")[["kg_seized", "kg_delivered", "alert_hits"]].mean())
