"""Regenerate docs/findings.md and its figures: the published qualitative effects, reproduced.

    .venv/bin/python scripts/findings.py

Runs real replications of scenarios/cocair3.yaml through cocair_sim.effects (the same functions
tests/science/test_effects.py checks), then writes the numbers and three figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from cocair_sim.science import effects
from cocair_sim.science.stats import bootstrap_mean_ci, paired_comparison

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
SEEDS = range(20)


def displacement_section() -> str:
    d = effects.displacement(hub="CMN", multiplier=10.0, seeds=SEEDS)
    airports = sorted(d[("adaptive", False)], key=lambda k: -d[("adaptive", False)][k])[:7]
    fig = Figure(figsize=(8, 3.4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, label in zip(axes, ("adaptive", "fixed"), strict=True):
        x = np.arange(len(airports))
        ax.bar(
            x - 0.2,
            [d[(label, False)][a] * 100 for a in airports],
            0.4,
            label="no crackdown",
            color="#0072B2",
        )
        ax.bar(
            x + 0.2,
            [d[(label, True)][a] * 100 for a in airports],
            0.4,
            label="controls x10 at CMN",
            color="#E69F00",
            hatch="//",
        )
        ax.set_xticks(x, airports)
        ax.set_title(f"traffickers {'adapt' if label == 'adaptive' else 'do not adapt'}")
        ax.set_xlabel("transit airport")
    axes[0].set_ylabel("share of kg routed via (%), last 2 weeks")
    axes[0].legend(frameon=False)
    fig.suptitle("Displacement after an 8-week crackdown at Casablanca")
    fig.tight_layout()
    fig.savefig(IMG / "findings_displacement.png", dpi=150)
    a0, a1 = d[("adaptive", False)], d[("adaptive", True)]
    f0, f1 = d[("fixed", False)], d[("fixed", True)]
    gains = sorted(((a1[k] - a0[k], k) for k in a0 if k != "CMN"), reverse=True)[:3]
    gain_text = ", ".join(f"{k} {g * 100:+.1f} points" for g, k in gains)
    return (
        "## 1. Displacement (NarcoLogic, PNAS 2019)\n\n"
        "Casablanca's controls are raised tenfold for eight weeks (days 14-69, relay off), "
        f"{len(SEEDS)} replications per cell; shares of kg sent via each transit airport over "
        "the last two weeks.\n\n"
        f"- Traffickers adapting: CMN's share falls from {a0['CMN']:.1%} to {a1['CMN']:.1%}; "
        f"the biggest gains go to {gain_text}.\n"
        f"- Traffickers not adapting: CMN's share stays at {f0['CMN']:.1%} "
        f"(with the crackdown {f1['CMN']:.1%}); the extra losses are simply absorbed.\n\n"
        "![displacement](img/findings_displacement.png)\n"
    )


def interdiction_section() -> str:
    rows = effects.interdiction_levels(multipliers=(1.0, 2.0, 4.0, 8.0), seeds=SEEDS)
    fig = Figure(figsize=(8, 3.2))
    ax1, ax2 = fig.subplots(1, 2)
    m = [r["multiplier"] for r in rows]
    ax1.plot(m, [r["kg_seized"] for r in rows], "o-", color="#0072B2")
    ax1.set_xlabel("control capacity (x baseline)")
    ax1.set_ylabel("kg seized in 35 days")
    ax2.plot(m, [r["kg_per_seizure"] for r in rows], "s--", color="#D55E00")
    ax2.set_xlabel("control capacity (x baseline)")
    ax2.set_ylabel("kg per seizure case")
    ax2.set_ylim(0, max(r["kg_per_seizure"] for r in rows) * 1.3)
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
    fig.suptitle("More interdiction: more kg seized, not larger cases")
    fig.tight_layout()
    fig.savefig(IMG / "findings_interdiction.png", dpi=150)
    table = "| capacity | kg seized | seizure cases | kg per case |\n|---|---|---|---|\n" + "".join(
        f"| x{r['multiplier']:g} | {r['kg_seized']:.0f} | {r['seizures']:.0f} | "
        f"{r['kg_per_seizure']:.2f} |\n"
        for r in rows
    )
    return (
        "## 2. More interdiction, more seized, not larger cases (IISE Transactions 2024)\n\n"
        "Every customs unit's capacity multiplied by 1-8 for the whole 35 days, no relay, "
        f"{len(SEEDS)} replications each.\n\n" + table + "\n"
        "kg seized rises steeply with capacity while kg per case stays flat: extra controls "
        "find more couriers of every kind, not larger loads. The published finding is that "
        "value per seizure *falls*; the model reproduces the weaker statement (does not rise), "
        "because selection here does not depend on the load (see ODD section 9).\n\n"
        "![interdiction](img/findings_interdiction.png)\n"
    )


def latency_section() -> str:
    lats = (1, 6, 24, 72, 168)
    rows = effects.latency_curve(latencies=lats, seeds=range(30))
    fig = Figure(figsize=(8, 3.2))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(lats, [r["hub_alert_hits"] for r in rows], "o-", color="#009E73")
    ax1.set_xlabel("hub latency (hours)")
    ax1.set_ylabel("seizures after a hub alert per run")
    cis = [bootstrap_mean_ci(r["paired_diff"]) for r in rows]
    ax2.errorbar(
        lats,
        [c[0] for c in cis],
        yerr=[[c[0] - c[1] for c in cis], [c[2] - c[0] for c in cis]],
        fmt="s-",
        color="#0072B2",
        capsize=3,
    )
    ax2.axhline(0, color="grey", lw=0.8)
    ax2.set_xlabel("hub latency (hours)")
    ax2.set_ylabel("extra kg seized vs no relay\n(operation week, 95 % CI)")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
    fig.suptitle("Relay value decays with latency (alerts live 96 h)")
    fig.tight_layout()
    fig.savefig(IMG / "findings_latency.png", dpi=150)
    lines = []
    for r, c in zip(rows, cis, strict=True):
        cmp = paired_comparison(r["paired_diff"], np.zeros_like(r["paired_diff"]))
        lines.append(
            f"| {r['latency_h']} h | {r['hub_alert_hits']:.1f} | {c[0]:+.1f} "
            f"[{c[1]:+.1f}, {c[2]:+.1f}] | {cmp.wilcoxon_p:.2g} |"
        )
    return (
        "## 3. Relay value decays with latency\n\n"
        "Hub relay against no relay on the default scenario, 30 paired replications per "
        "latency; operation week.\n\n"
        "| hub latency | seizures after a hub alert | extra kg seized vs none [95 % CI] | "
        "Wilcoxon p |\n|---|---|---|---|\n" + "\n".join(lines) + "\n\n"
        "With a fast hub, relay adds a clearly significant amount of seized cocaine; the gain "
        "shrinks as latency grows and vanishes once alerts arrive after they expire (96 h).\n\n"
        "![latency](img/findings_latency.png)\n"
    )


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    text = (
        "# Findings: published effects the model reproduces\n\n"
        "Generated by `scripts/findings.py` (re-run it after changing the model); the same "
        "computations are checked, with fewer replications, by `tests/science/test_effects.py`. "
        "Scenario: `scenarios/cocair3.yaml`. These are qualitative checks of the model's "
        "mechanisms, not estimates of real-world effects.\n\n"
        + displacement_section()
        + "\n"
        + interdiction_section()
        + "\n"
        + latency_section()
    )
    (ROOT / "docs" / "findings.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
