"""How fast alerts arrive, and how many seizures they prompt."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocair_sim.missing import as_float
from cocair_sim.model import events as ev
from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import PALETTE, figure, info, style
from cocair_sim.report.registry import FigureInfo
from cocair_sim.stats import bootstrap_mean_ci


def alert_delays(model) -> list[tuple[str, float]]:
    """(channel, hours from the seizure to the alert's delivery) for every delivered alert."""
    reports = model.reports
    return [
        (e.channel, float(e.time_h) - float(reports[e.report].time))
        for e in model.events
        if e.event == ev.ALERT_DELIVERED and e.report in reports
    ]


def fig_alerts(ctx: FigureContext) -> FigureInfo:
    """Figure `alerts`: hours from seizure to alert by channel (from the re-run replicates),
    and seizures prompted by alerts against routine controls (from the stored runs)."""
    models = ctx.models
    conds = ctx.conditions
    relayed: dict[str, list[float]] = {}
    national: list[float] = []
    for cond in conds:
        for m in models.get(cond, []):
            for channel, h in alert_delays(m):
                if channel == ev.NATIONAL:
                    national.append(h)
                else:
                    relayed.setdefault(cond, []).append(h)
    fig = figure(11, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    all_h = national + [h for v in relayed.values() for h in v]
    bins = np.linspace(0, max(all_h) if all_h else 1.0, 25)
    for cond in conds:
        if cond in relayed:
            st = style(conds.index(cond))
            ax1.hist(
                relayed[cond],
                bins=bins,
                histtype="step",
                lw=1.8,
                color=st.color,
                ls=st.linestyle,
                hatch=st.hatch,
                label=f"{cond}: relayed (hub/bilateral)",
            )
    if national:
        ax1.hist(
            national,
            bins=bins,
            histtype="stepfilled",
            color="0.8",
            edgecolor="0.3",
            label="national alerts (all conditions)",
            zorder=0,
        )
    if not all_h:
        ax1.text(0.5, 0.5, "no alerts delivered", ha="center", va="center", transform=ax1.transAxes)
    ax1.set_xlabel("hours from seizure to alert delivery (h)")
    ax1.set_ylabel("alerts delivered (count)")
    ax1.set_title("Alert timeliness", fontsize=10)
    ax1.legend(fontsize=7)
    hits: dict[str, dict[str, list[float]]] = {}
    for run in ctx.runs():
        for k in ("alert_hits", "random_hits"):
            v = run.metrics.get(k)
            hits.setdefault(run.condition, {}).setdefault(k, []).append(as_float(v))
    present = [c for c in conds if c in hits]
    x = np.arange(len(present))
    rows = []
    for j, (k, label) in enumerate(
        [("alert_hits", "seizures prompted by alerts"), ("random_hits", "routine-control seizures")]
    ):
        cis = [bootstrap_mean_ci(hits[c][k]) for c in present]
        means = np.array([ci.mean for ci in cis])
        err = np.abs(np.vstack([means - [ci.low for ci in cis], [ci.high for ci in cis] - means]))
        ax2.bar(
            x + (j - 0.5) * 0.38,
            means,
            0.38,
            yerr=err,
            capsize=3,
            color=PALETTE[0] if j == 0 else "0.75",
            hatch="" if j == 0 else "//",
            edgecolor="black",
            linewidth=0.6,
            label=label,
        )
        rows += [
            {"condition": c, "quantity": k, "mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high}
            for c, ci in zip(present, cis, strict=True)
        ]
    ax2.set_xticks(x, present)
    ax2.set_xlabel("condition")
    ax2.set_ylabel("seizures per run (count, whole run)")
    ax2.set_title("Alert hits vs routine-control hits", fontsize=10)
    ax2.legend(fontsize=8)
    ax2.grid(axis="y", alpha=0.3)
    title = "How fast alerts arrive, and how many seizures they prompt, per condition"
    fig.suptitle(title, fontsize=11)
    n_models = max((len(v) for v in models.values()), default=0)
    caption = (
        "Left: hours from each seizure to the delivery of the alerts it triggered, from "
        f"{n_models} re-run replicate(s) per condition; relayed alerts (hub or bilateral) per "
        "condition, national alerts pooled in grey. Right: seizures prompted by an alert vs "
        "by routine controls per run (mean, 95 % CI)." + ctx.sweep_note()
    )
    data = {
        "relayed_hours": {c: v for c, v in relayed.items()},
        "national_hours": national,
        "hits": pd.DataFrame(rows),
    }
    return info(fig, ctx.folder, "alerts", title, caption, data)
