"""Maps of flows and seizures on the offline basemap (never touches the network)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from cocair_sim.geo import bbox_for, draw_basemap
from cocair_sim.report.draw.data import FigureContext
from cocair_sim.report.draw.style import PALETTE, figure, info
from cocair_sim.report.registry import FigureInfo


def draw_run_map(ax, model, title: str | None = None) -> dict[str, Any]:
    """Airports, routes, kg through transit airports, seizures and the hub on an offline map."""
    net = model.network
    pts = np.array([[a.lon, a.lat] for a in net.airports])
    draw_basemap(ax, bbox_for(pts, pad_deg=4.0))
    segs = [[pts[r.origin], pts[r.destination]] for r in net.routes]
    ax.add_collection(LineCollection(segs, colors="0.7", linewidths=0.3, alpha=0.5, zorder=1))
    # Routes weighted by kg actually carried on them (both directions drawn on one line).
    flown = np.asarray(model.route_g_flown, dtype=float) / 1000.0
    fmax = max(float(flown.max()), 1e-9)
    used = [i for i in np.argsort(flown) if flown[i] > 0]
    if used:
        ax.add_collection(
            LineCollection(
                [segs[i] for i in used],
                colors=PALETTE[5],
                linewidths=[0.5 + 5.0 * flown[i] / fmax for i in used],
                alpha=0.75,
                zorder=2,
            )
        )
    via = np.asarray(model.via_g_total, dtype=float) / 1000.0
    seized = np.asarray(model.seized_g_by_airport, dtype=float) / 1000.0
    vmax = max(float(via.max()), 1e-9)
    smax = max(float(seized.max()), 1e-9)
    hub = net.by_iata.get(model.spec.relay.hub_airport)
    role_marker = {"source": "^", "transit": "o", "destination": "s"}
    # One scatter per marker style (not per airport): drawing 3 panels of ~30 airports one by
    # one was most of the report's longest figure.
    groups: dict[tuple[str, bool], list[Any]] = {}
    for a in net.airports:
        groups.setdefault((role_marker.get(a.role, "o"), a.hub_connected), []).append(a)
    for (mk, connected), members in groups.items():
        ax.scatter(
            [a.lon for a in members],
            [a.lat for a in members],
            s=[18 + 260 * via[a.index] / vmax if a.role == "transit" else 30 for a in members],
            marker=mk,
            facecolor="white",
            edgecolor=PALETTE[0] if connected else "0.2",
            linewidths=1.8 if connected else 0.6,
            zorder=3,
        )
    hit = [a for a in net.airports if seized[a.index] > 0]
    if hit:
        ax.scatter(
            [a.lon for a in hit],
            [a.lat for a in hit],
            s=[12 + 220 * seized[a.index] / smax for a in hit],
            marker="X",
            color=PALETTE[4],
            edgecolor="black",
            linewidths=0.4,
            zorder=4,
            alpha=0.9,
        )
    for a in net.airports:
        ax.annotate(a.iata, (a.lon, a.lat), xytext=(3, 3), textcoords="offset points", fontsize=6)
    if hub is not None:
        h = net.airports[hub]
        ax.scatter(h.lon, h.lat, s=220, marker="*", color=PALETTE[1], edgecolor="black", zorder=5)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    if title:
        ax.set_title(title, fontsize=9)
    return {
        "kg_carried": {
            f"{net.airports[r.origin].iata}-{net.airports[r.destination].iata}": float(flown[i])
            for i, r in enumerate(net.routes)
            if flown[i]
        },
        "kg_via": {net.airports[i].iata: float(via[i]) for i in range(len(via)) if via[i]},
        "kg_seized": {
            net.airports[i].iata: float(seized[i]) for i in range(len(seized)) if seized[i]
        },
    }


def map_legend(fig) -> None:
    """The legend of `draw_run_map`'s symbols, below the figure's panels."""
    handles = [
        Line2D([], [], color=PALETTE[5], lw=3, label="route (width = kg carried)"),
        Line2D([], [], marker="^", ls="none", mfc="white", mec="0.2", label="source airport"),
        Line2D(
            [],
            [],
            marker="o",
            ls="none",
            mfc="white",
            mec="0.2",
            label="transit airport (size = kg through it)",
        ),
        Line2D([], [], marker="s", ls="none", mfc="white", mec="0.2", label="destination airport"),
        Line2D(
            [],
            [],
            marker="o",
            ls="none",
            mfc="white",
            mec=PALETTE[0],
            mew=1.8,
            label="connected to the hub",
        ),
        Line2D(
            [],
            [],
            marker="*",
            ls="none",
            color=PALETTE[1],
            mec="black",
            ms=12,
            label="coordination hub",
        ),
        Line2D(
            [],
            [],
            marker="X",
            ls="none",
            color=PALETTE[4],
            mec="black",
            label="seizures (size = kg)",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7, frameon=False)


def fig_map(ctx: FigureContext) -> FigureInfo:
    """Figure `map`: one panel per condition with the flows and seizures of its first re-run
    replicate."""
    models = ctx.models
    conds = [c for c in ctx.conditions if models.get(c)]
    n = max(1, len(conds))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = figure(4.6 * ncols, 4.4 * nrows + 0.8)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    data = {}
    for ax, cond in zip(axes, conds, strict=False):
        model = models[cond][0]
        data[cond] = draw_run_map(ax, model, f"{cond} (first replicate)")
    for ax in axes[len(conds) :]:
        ax.set_visible(False)
    map_legend(fig)
    title = "Where cocaine flowed and was seized, per condition (one replicate each)"
    fig.suptitle(title, fontsize=11)
    caption = (
        "One representative replicate per condition (the first stored replicate, same seed in "
        "every condition), re-run in process: routes drawn with a width proportional to the kg "
        "couriers carried on them, transit airports sized by the kg routed through them, "
        "crosses sized by the kg seized there; the star is the coordination hub and "
        "blue-edged airports are connected to it. Offline Natural Earth basemap, lon/lat in "
        "degrees." + ctx.sweep_note()
    )
    return info(fig, ctx.folder, "map", title, caption, data)
