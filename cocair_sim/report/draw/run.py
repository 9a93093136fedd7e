"""Figures of a single run (`cocair run`): flows, seizures by airport, map, displacement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocair_sim.report.draw.displacement import stack, top_airports, via_shares
from cocair_sim.report.draw.maps import draw_run_map, map_legend
from cocair_sim.report.draw.style import PALETTE, figure, info, shade_operation, style
from cocair_sim.report.registry import FigureInfo


def run_figures(model, folder) -> list[FigureInfo]:
    """Figures of one finished run: flows over time, seizures by airport, map, displacement."""
    folder = Path(folder)
    df = model.datacollector.get_model_vars_dataframe()
    days = df["day"].to_numpy(dtype=float)
    in_op = df["in_operation"].to_numpy(dtype=bool)
    label = f"{model.spec.name}, relay {model.relay_mode}, seed {model.seed}"
    out = []

    fig = figure(8, 4.2)
    ax = fig.subplots()
    shade_operation(ax, days, in_op)
    for i, (key, name) in enumerate(
        [("kg_seized", "seized"), ("kg_delivered", "delivered"), ("kg_in_transit", "in transit")]
    ):
        st = style(i)
        ax.plot(days, df[key], color=st.color, ls=st.linestyle, marker=st.marker, ms=3, label=name)
    ax.set_xlabel("simulated day")
    ax.set_ylabel("cocaine (kg, cumulative; in transit: on the day)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    title = f"Cocaine seized, delivered and in transit over time ({label})"
    ax.set_title(title, fontsize=9)
    data = df[["day", "in_operation", "kg_seized", "kg_delivered", "kg_in_transit"]].copy()
    out.append(
        info(
            fig,
            folder,
            "flows",
            title,
            "Cumulative kg seized and delivered, and kg in transit "
            "at the end of each day; grey: operation window.",
            data,
        )
    )

    net = model.network
    kg = np.asarray(model.seized_g_by_airport, dtype=float) / 1000.0
    n = np.asarray(model.seizures_by_airport)
    idx = [int(i) for i in np.argsort(-kg, kind="stable") if kg[i] > 0]
    fig = figure(8, 4.2)
    ax = fig.subplots()
    if idx:
        bars = ax.bar(range(len(idx)), kg[idx], color=PALETTE[0], edgecolor="black", lw=0.6)
        ax.bar_label(bars, labels=[f"{n[i]}" for i in idx], fontsize=7, padding=2)
        ax.set_xticks(range(len(idx)), [net.airports[i].iata for i in idx], rotation=45)
    else:
        ax.text(0.5, 0.5, "no seizures", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("airport (IATA code); number above bar = seizure cases")
    ax.set_ylabel("cocaine seized (kg)")
    title = f"Cocaine seized by airport ({label})"
    ax.set_title(title, fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    data = pd.DataFrame(
        {
            "airport": [net.airports[i].iata for i in idx],
            "kg_seized": kg[idx],
            "seizures": n[idx],
        }
    )
    out.append(
        info(fig, folder, "seizures_by_airport", title, "Kg seized per airport over the run.", data)
    )

    fig = figure(6.5, 6.2)
    ax = fig.subplots()
    title = f"Flows and seizures ({label})"
    data = draw_run_map(ax, model, title)
    map_legend(fig)
    out.append(
        info(
            fig,
            folder,
            "map",
            title,
            "Transit airports sized by kg through them, crosses "
            "by kg seized; star: hub; blue edge: hub-connected.",
            data,
        )
    )

    header = list(df.columns)
    arr = df.to_numpy(dtype=float)[None, ...]
    names, share = via_shares(header, arr)
    via_cols = [header.index(f"kg_via_{x}") for x in names]
    totals = arr[0][:, via_cols].sum(axis=0)
    top = top_airports(names, totals)
    fig = figure(8, 4.2)
    ax = fig.subplots()
    layers = stack(ax, days, share[0], names, top, in_op)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, title="transit airport")
    title = f"Share of trafficked kg through each transit airport ({label})"
    ax.set_title(title, fontsize=9)
    data = pd.DataFrame({"day": days, **layers})
    out.append(
        info(
            fig,
            folder,
            "displacement",
            title,
            "Share of the kg sent each day through each "
            "transit airport; dashed lines bound the operation window.",
            data,
        )
    )
    return out
