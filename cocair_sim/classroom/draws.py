"""Where one world sits among many: the relay's effect over many paired draws.

A class sees one world, which is one draw. In that draw the relay may change nothing, or a lot;
the classroom page and the exercise's debrief therefore show the same comparison (relay against
no relay, same seed for both: common random numbers) over many seeds, with this world's seed
first, so the class can see whether its world was typical.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cocair_sim.model.model import CocairModel
from cocair_sim.model.outputs import summarise
from cocair_sim.scenario.schema import Scenario

DRAWS = 100  # paired runs behind "this world among many" (the page and the debrief)
METRIC = "kg_seized_participants"
METRIC_LABEL = "kg seized at participating airports, operation window"


def draw_seeds(seed: int, runs: int) -> list[int]:
    """`runs` seeds, this world's first."""
    return [seed, *(s for s in range(runs + 1) if s != seed)][:runs]


def operation_value(model: CocairModel, metric: str = METRIC) -> float:
    """A finished run's value of `metric` over the operation window."""
    return float(summarise(model)["operation"][metric])


@dataclass(eq=False)  # one object per world: compared and hashed by identity
class PairedDraws:
    """`relay` minus `none` on `seeds`, computed in a background thread; `values` grows as the
    pairs finish (read it under `lock`)."""

    relay: tuple[Scenario, str]  # the scenario and the relay mode of the relay world
    none: tuple[Scenario, str]
    seeds: list[int]
    metric: str = METRIC
    values: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        """Every pair has finished."""
        return len(self.values) == len(self.seeds)

    @property
    def stopped(self) -> bool:
        """`stop` was called (a reset, a closed page): no more pairs will come."""
        return self._stop.is_set()

    def run(self) -> None:
        """Run the pairs one seed after the other, until all are done or `stop` is called."""
        for seed in self.seeds:
            if self._stop.is_set():
                return
            pair = [
                operation_value(
                    CocairModel(spec, seed=seed, relay_mode=mode, event_log=False).run(),
                    self.metric,
                )
                for spec, mode in (self.relay, self.none)
            ]
            with self.lock:
                self.values.append(pair[0] - pair[1])

    def start(self) -> PairedDraws:
        """Run the pairs in a background (daemon) thread; returns self."""
        threading.Thread(target=self.run, daemon=True, name="paired-draws").start()
        return self

    def stop(self) -> None:
        """Stop after the pair being run (the values so far stay)."""
        self._stop.set()

    def snapshot(self) -> np.ndarray:
        """The differences so far, this world's first, as a copy safe to read while the thread
        runs."""
        with self.lock:
            return np.array(self.values, dtype=float)

    def shares(self) -> dict[str, float]:
        """Share of draws in which the relay seized more, the same, less."""
        v = self.snapshot()
        n = max(len(v), 1)
        return {
            "more": float((v > 0).sum() / n),
            "same": float((v == 0).sum() / n),
            "less": float((v < 0).sum() / n),
        }

    def histogram_png(self, marks: dict[str, float] | None = None) -> bytes:
        """The draws as a histogram; this world's draw (the first seed) and `marks` as lines."""
        v = self.snapshot()
        fig = Figure(figsize=(6.4, 2.6))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        if len(v):
            ax.hist(v, bins=min(25, max(5, len(v) // 4)), color="#0072B2", alpha=0.75)
            ax.axvline(v[0], color="black", label=f"this world: {v[0]:+.1f} kg")
        styles = iter(("--", ":", "-."))
        for label, value in (marks or {}).items():
            ax.axvline(value, color="#D55E00", linestyle=next(styles, "--"),
                       label=f"{label}: {value:+.1f} kg")  # fmt: skip
        s = self.shares()
        ax.set_title(
            f"Relay minus no relay over {len(v)} paired draws: more in {s['more']:.0%}, "
            f"the same in {s['same']:.0%}, less in {s['less']:.0%}",
            fontsize=9,
        )
        ax.set_xlabel(METRIC_LABEL if self.metric == METRIC else self.metric, fontsize=8)
        ax.set_ylabel("draws", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
