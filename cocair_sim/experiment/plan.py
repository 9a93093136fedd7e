"""The plan of an experiment: every run it needs, with its seed.

Seeds come from `SeedSequence([base_seed, replicate, point])`, never from the condition, so
replicate i of every condition draws the same trafficking randomness (common random numbers) and
conditions compare pairwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cocair_sim.experiment.spec import Experiment
    from cocair_sim.experiment.store import Store


@dataclass(frozen=True)
class RunSpec:
    """One planned run: its scenario and overrides, where it sits in the plan, its seed."""

    run_id: str
    scenario_path: str
    overrides: tuple[tuple[str, Any], ...]
    condition: str
    point: int
    sweep: tuple[tuple[str, Any], ...]
    replicate: int
    seed: int
    # Values drawn from the experiment's posterior (the same for every condition of a
    # replicate); fields the run's overrides set are left to the overrides.
    parameters: tuple[tuple[str, Any], ...] = ()
    particle: int | None = None

    @property
    def task_id(self) -> str:
        """What the job runner calls this run."""
        return self.run_id


def run_seed(base_seed: int, replicate: int, point: int) -> int:
    """Seed of replicate `replicate` at sweep point `point`; the same for every condition."""
    return int(
        np.random.SeedSequence([base_seed, replicate, point]).generate_state(1, np.uint64)[0]
        >> np.uint64(1)
    )


def plan(exp: Experiment) -> list[RunSpec]:
    """Every run of an experiment: sweep points x replicates x conditions."""
    spec = exp.spec
    runs = []
    particles = (
        [exp.posterior.draw(spec.base_seed, rep) for rep in range(spec.replications)]
        if exp.posterior is not None
        else [None] * spec.replications
    )
    for p, point in enumerate(spec.points()):
        for rep in range(spec.replications):
            seed = run_seed(spec.base_seed, rep, p)
            drawn = {} if particles[rep] is None else exp.posterior.particle(particles[rep])
            for cond in spec.conditions:
                overrides = spec.run_overrides(point, cond)
                parameters = {k: v for k, v in drawn.items() if k not in overrides}
                runs.append(
                    RunSpec(
                        run_id=f"p{p}-{cond.name}-r{rep}",
                        scenario_path=str(exp.scenario_path),
                        overrides=tuple(overrides.items()),
                        condition=cond.name,
                        point=p,
                        sweep=tuple(point.items()),
                        replicate=rep,
                        seed=seed,
                        parameters=tuple(parameters.items()),
                        particle=particles[rep],
                    )
                )
    return runs


def iter_missing(exp: Experiment, store: Store) -> list[RunSpec]:
    """The planned runs the store does not hold yet, in plan order."""
    done = store.done_ids()
    return [r for r in plan(exp) if r.run_id not in done]


def sweep_columns(exp: Experiment) -> list[str]:
    """The swept fields, in the file's order: columns of every table."""
    return [s.parameter for s in exp.spec.sweep]
