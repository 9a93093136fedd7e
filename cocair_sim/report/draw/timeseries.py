"""Seizures over time, per condition, with bootstrap bands."""

from __future__ import annotations

import pandas as pd

from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import figure, info, shade_operation, style
from cocair_sim.report.registry import FigureInfo
from cocair_sim.stats import bootstrap_column_ci

N_BOOT_DAILY = 1000


def fig_timeseries(ctx: FigureContext) -> FigureInfo:
    """Figure `timeseries`: cumulative kg seized and seizure cases by day, per condition."""
    header, arrays = ctx.daily_arrays()
    col = {h: i for i, h in enumerate(header)}
    fig = figure(11, 4.2)
    axes = fig.subplots(1, 2)
    rows = []
    panels = [("kg_seized", "cumulative cocaine seized (kg)"), ("seizures", "cumulative seizures")]
    for ax, (key, ylabel) in zip(axes, panels, strict=True):
        shaded = False
        for i, cond in enumerate(ctx.conditions):
            if cond not in arrays:
                continue
            arr = arrays[cond]
            days = arr[0, :, col["day"]]
            if not shaded:
                shade_operation(ax, days, arr[0, :, col["in_operation"]] > 0)
                shaded = True
            ci = bootstrap_column_ci(arr[:, :, col[key]], n_boot=N_BOOT_DAILY)
            st = style(i)
            ax.fill_between(days, ci.low, ci.high, color=st.color, alpha=0.2, linewidth=0)
            ax.plot(days, ci.mean, color=st.color, linestyle=st.linestyle, label=cond, lw=1.8)
            for d, m, lo, hi in zip(days, ci.mean, ci.low, ci.high, strict=True):
                rows.append(
                    {
                        "series": key,
                        "condition": cond,
                        "day": int(d),
                        "mean": m,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
        ax.set_xlabel("simulated day")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].set_title("Cumulative cocaine seized (kg)")
    axes[1].set_title("Cumulative seizure cases (count)")
    axes[0].legend(loc="upper left", fontsize=8)
    title = "Seizures over time by relay condition"
    fig.suptitle(title)
    caption = (
        "Cumulative cocaine seized (left, kg) and seizure cases (right) per simulated day: mean "
        "over replicates with a 95 % bootstrap confidence band; the grey band marks the "
        "operation window." + ctx.sweep_note()
    )
    return info(fig, ctx.folder, "timeseries", title, caption, pd.DataFrame(rows))
