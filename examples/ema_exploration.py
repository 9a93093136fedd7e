"""Drive cocair-sim from the EMA Workbench (exploratory modelling).

The model is the plain function `cocair_sim.run_model`, which takes scenario fields as keyword
arguments (dots written as `__`) and returns scalar outcomes. EMA needs outcome names that are
Python identifiers, so the wrapper below renames `operation.kg_seized` to `operation_kg_seized`.

    python examples/ema_exploration.py            # 40 scenarios, hub relay, default scenario
    python examples/ema_exploration.py --n 8      # a quick look
"""

from __future__ import annotations

import argparse

from ema_workbench import (
    CategoricalParameter,
    IntegerParameter,
    Model,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
    perform_experiments,
)

import cocair_sim

OUTCOMES = ("operation.kg_seized", "operation.alert_hits", "operation.kg_delivered")


def cocair(**params) -> dict[str, float]:
    """EMA-facing wrapper: identifiers in, identifiers out."""
    result = cocair_sim.run_model(**params)  # the default scenario, cocair3
    return {name.replace(".", "_"): result[name] for name in OUTCOMES}


def build_model() -> Model:
    model = Model("cocair", function=cocair)
    model.uncertainties = [
        RealParameter("relay__hub_latency_hours", 1.0, 96.0),
        RealParameter("relay__targeting_uplift", 5.0, 10.0),
        IntegerParameter("seed", 0, 10_000),
    ]
    model.levers = [CategoricalParameter("relay_mode", ["none", "hub"])]
    model.outcomes = [ScalarOutcome(name.replace(".", "_")) for name in OUTCOMES]
    return model


def main(n: int = 40, policies: int = 2):
    with SequentialEvaluator(build_model()) as evaluator:
        experiments, outcomes = perform_experiments(
            build_model(), scenarios=n, policies=policies, evaluator=evaluator
        )
    return experiments, outcomes


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="number of sampled scenarios")
    args = parser.parse_args()
    experiments, outcomes = main(args.n)
    frame = experiments[["relay_mode", "relay__hub_latency_hours"]].copy()
    for name, values in outcomes.items():
        frame[name] = values
    print(frame.groupby("relay_mode")[list(outcomes)].mean().round(2).to_string())
