"""Figures of a single run (`cocair run`) and of an experiment (`cocair experiment`/`report`).

Everything is drawn on `matplotlib.figure.Figure` objects with the Agg canvas (no pyplot state),
saved as PNG (200 dpi) and SVG. Conditions get Okabe-Ito colours *and* distinct line styles,
markers and hatches, so they stay distinguishable for colour-blind readers and in greyscale.
Maps use the packaged offline basemap (`cocair_sim.geo`) and never touch the network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cocair_sim.figures import FigureInfo
from cocair_sim.geo import bbox_for, draw_basemap
from cocair_sim.outputs import metric_label
from cocair_sim.stats import bootstrap_mean_ci

DPI = 200
# Okabe-Ito, ordered so that neighbours also differ in lightness (greyscale).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
OPERATION_SHADE = "0.85"
N_BOOT_DAILY = 1000
RERUNS = 3  # replicates per condition re-run in process for the map and alert timeliness


@dataclass(frozen=True)
class Style:
    color: str
    linestyle: Any
    marker: str
    hatch: str


def style(i: int) -> Style:
    return Style(
        PALETTE[i % len(PALETTE)],
        LINESTYLES[i % len(LINESTYLES)],
        MARKERS[i % len(MARKERS)],
        HATCHES[i % len(HATCHES)],
    )


def warm_up() -> None:
    """Load what drawing needs (this module's imports, fonts, the Agg renderer) in a worker
    before its first figure job; `run_all` queues it behind the last runs of an experiment."""
    import io

    fig = _figure(1, 1)
    fig.subplots().set_title("warm-up")
    FigureCanvasAgg(fig).print_png(io.BytesIO())


def _figure(w: float, h: float) -> Figure:
    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, folder: Path, name: str) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    fig.savefig(png, dpi=DPI, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return png, svg


def _info(fig, folder, name, title, caption, data) -> FigureInfo:
    png, svg = _save(fig, folder, name)
    return FigureInfo(name, title, caption, png, svg, data)


def _shade_operation(ax, days, in_op) -> None:
    days = np.asarray(days)
    mask = np.asarray(in_op, dtype=bool)
    if not mask.any():
        return
    idx = np.flatnonzero(mask)
    # One band per contiguous run of operation days; a day covers [d - 0.5, d + 0.5].
    starts = idx[np.r_[True, np.diff(idx) > 1]]
    ends = idx[np.r_[np.diff(idx) > 1, True]]
    for k, (s, e) in enumerate(zip(starts, ends, strict=True)):
        ax.axvspan(
            days[s] - 0.5,
            days[e] + 0.5,
            color=OPERATION_SHADE,
            zorder=0,
            label="operation window" if k == 0 else None,
        )


def daily_mean_ci(x: np.ndarray, n_boot: int = N_BOOT_DAILY, seed: int = 20111128):
    """Mean and 95 % percentile bootstrap CI over replicates (rows) for every day (columns)."""
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    if x.shape[0] < 2:
        return mean, mean.copy(), mean.copy()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.shape[0], size=(n_boot, x.shape[0]))
    boots = x[idx].mean(axis=1)
    low, high = np.quantile(boots, [0.025, 0.975], axis=0)
    return mean, low, high


# -- experiment data -------------------------------------------------------------------------


def _first_point(summary: list[dict] | None, store) -> int:
    """The sweep point figures show: the first one (from the summary table, or the store)."""
    points = sorted({r["point"] for r in summary or ()}) or sorted(
        {r[2] for r in store.metric_rows()}
    )
    return points[0] if points else 0


def _conditions(exp) -> list[str]:
    return [c.name for c in exp.spec.conditions]


def _daily_arrays(store, point: int) -> tuple[list[str], dict[str, np.ndarray]]:
    """Daily series of one sweep point: header and, per condition, (replicates, days, cols)."""
    header: list[str] = []
    runs: dict[str, list[np.ndarray]] = {}
    for rec in store.runs():
        if rec.point != point:
            continue
        header = header or rec.daily_header
        arr = np.array(
            [[float(v) if v not in (None, "") else np.nan for v in row] for row in rec.daily_rows]
        )
        runs.setdefault(rec.condition, []).append(arr)
    out = {}
    for cond, arrs in runs.items():
        n = min(a.shape[0] for a in arrs)
        out[cond] = np.stack([a[:n] for a in arrs])
    return header, out


def _point_label(exp, summary, point, store=None) -> str:
    if not exp.spec.sweep:
        return ""
    if summary:
        sweep = next((r["sweep"] for r in summary if r["point"] == point), {})
    else:  # a figure drawn before the summary table exists
        sweep = next((r[3] for r in store.metric_rows() if r[2] == point), {})
    return ", ".join(f"{k} = {v}" for k, v in sweep.items())


def _sweep_note(exp, summary, point, store=None) -> str:
    label = _point_label(exp, summary, point, store)
    return f" Shown for the first sweep point ({label})." if label else ""


def _rerun_models(exp, store, point: int, per_condition: int = RERUNS) -> dict[str, list]:
    """Re-run the first stored replicates of each condition in process (same seeds)."""
    from cocair_sim.model import CocairModel
    from cocair_sim.scenario import cached_scenario

    by_cond: dict[str, list[tuple[int, int, dict]]] = {}
    for _rid, cond, p, sweep, rep, seed, _m, _s in store.metric_rows():
        if p == point:
            by_cond.setdefault(cond, []).append((rep, seed, sweep))
    models: dict[str, list] = {}
    for c in exp.spec.conditions:
        runs = sorted(by_cond.get(c.name, []))[:per_condition]
        spec = None
        for _rep, seed, sweep in runs:
            if spec is None:
                spec = cached_scenario(exp.scenario_path, exp.spec.run_overrides(sweep, c))
            models.setdefault(c.name, []).append(CocairModel(spec, seed=seed).run())
    return models


# -- a. time series --------------------------------------------------------------------------


def fig_timeseries(exp, store, summary, folder) -> FigureInfo:
    point = _first_point(summary, store)
    header, arrays = _daily_arrays(store, point)
    col = {h: i for i, h in enumerate(header)}
    fig = _figure(11, 4.2)
    axes = fig.subplots(1, 2)
    rows = []
    panels = [("kg_seized", "cumulative cocaine seized (kg)"), ("seizures", "cumulative seizures")]
    for ax, (key, ylabel) in zip(axes, panels, strict=True):
        shaded = False
        for i, cond in enumerate(_conditions(exp)):
            if cond not in arrays:
                continue
            arr = arrays[cond]
            days = arr[0, :, col["day"]]
            if not shaded:
                _shade_operation(ax, days, arr[0, :, col["in_operation"]] > 0)
                shaded = True
            mean, low, high = daily_mean_ci(arr[:, :, col[key]])
            st = style(i)
            ax.fill_between(days, low, high, color=st.color, alpha=0.2, linewidth=0)
            ax.plot(days, mean, color=st.color, linestyle=st.linestyle, label=cond, lw=1.8)
            for d, m, lo, hi in zip(days, mean, low, high, strict=True):
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
        "operation window." + _sweep_note(exp, summary, point, store)
    )
    return _info(fig, folder, "timeseries", title, caption, pd.DataFrame(rows))


# -- b. paired differences -------------------------------------------------------------------


def paired_difference_data(exp, summary, point: int) -> pd.DataFrame:
    rows = [
        {
            "point": r["point"],
            "metric": r["metric"],
            "condition": r["condition"],
            "rel_change": r["rel_change"],
            "rel_ci_low": r["rel_ci_low"],
            "rel_ci_high": r["rel_ci_high"],
            "wilcoxon_p": r["wilcoxon_p"],
        }
        for r in summary
        if r["point"] == point and "rel_change" in r
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "point",
            "metric",
            "condition",
            "rel_change",
            "rel_ci_low",
            "rel_ci_high",
            "wilcoxon_p",
        ],
    )


def fig_paired(exp, store, summary, folder) -> FigureInfo:
    point = _first_point(summary, store)
    data = paired_difference_data(exp, summary, point)
    baseline = exp.spec.baseline_condition
    metrics = list(exp.spec.metrics)
    others = [c for c in _conditions(exp) if c != baseline]
    fig = _figure(9, 1.2 + 0.42 * len(metrics) * max(1, len(others)) ** 0.5)
    ax = fig.subplots()
    ax.axvline(0, color="0.3", lw=1)
    offsets = np.linspace(-0.25, 0.25, len(others)) if len(others) > 1 else [0.0]
    for k, cond in enumerate(others):
        st = style(_conditions(exp).index(cond))
        sub = data[data["condition"] == cond].set_index("metric")
        ys, xs, lo, hi = [], [], [], []
        for j, m in enumerate(metrics):
            if m not in sub.index or not np.isfinite(sub.loc[m, "rel_change"]):
                continue
            ys.append(j + offsets[k])
            xs.append(100 * sub.loc[m, "rel_change"])
            lo.append(100 * sub.loc[m, "rel_ci_low"])
            hi.append(100 * sub.loc[m, "rel_ci_high"])
        xs_a = np.array(xs, dtype=float)
        err = np.abs(np.vstack([xs_a - np.array(lo, dtype=float), np.array(hi) - xs_a]))
        ax.errorbar(
            xs_a,
            ys,
            xerr=err if len(xs) else None,
            fmt=st.marker,
            color=st.color,
            ecolor=st.color,
            capsize=3,
            ms=6,
            label=f"{cond} vs {baseline}",
            linestyle="none",
        )
    ax.set_yticks(range(len(metrics)), [metric_label(m) for m in metrics], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"relative change vs {baseline} (%), paired replicates, 95 % CI")
    ax.set_ylabel("outcome")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    title = f"Paired differences of each condition against the baseline ({baseline})"
    ax.set_title(title, fontsize=10)
    caption = (
        f"Relative change of each outcome against '{baseline}' (same replicate, same random "
        "streams): point = mean difference / baseline mean, whiskers = 95 % bootstrap CI. "
        "Outcomes with a zero baseline mean are omitted." + _sweep_note(exp, summary, point, store)
    )
    return _info(fig, folder, "paired_differences", title, caption, data)


# -- c. kg shipped / seized / delivered ------------------------------------------------------


def fig_kg_bars(exp, store, summary, folder) -> FigureInfo:
    point = _first_point(summary, store)
    keys = ["kg_shipped", "kg_seized", "kg_delivered"]
    values: dict[str, dict[str, list[float]]] = {}
    for _rid, cond, p, _sw, _rep, _seed, metrics, _s in store.metric_rows():
        if p == point:
            for k in keys:
                v = metrics.get(k)
                values.setdefault(cond, {}).setdefault(k, []).append(
                    np.nan if v is None else float(v)
                )
    conds = [c for c in _conditions(exp) if c in values]
    rows = []
    fig = _figure(8, 4.2)
    ax = fig.subplots()
    width = 0.8 / max(1, len(conds))
    x = np.arange(len(keys))
    for i, cond in enumerate(conds):
        st = style(_conditions(exp).index(cond))
        stats = [bootstrap_mean_ci(values[cond][k]) for k in keys]
        means = np.array([s[0] for s in stats])
        err = np.abs(np.vstack([means - [s[1] for s in stats], [s[2] for s in stats] - means]))
        ax.bar(
            x + (i - (len(conds) - 1) / 2) * width,
            means,
            width,
            yerr=err,
            capsize=3,
            color=st.color,
            hatch=st.hatch,
            edgecolor="black",
            linewidth=0.6,
            label=cond,
        )
        for k, (m, lo, hi) in zip(keys, stats, strict=True):
            rows.append({"condition": cond, "quantity": k, "mean": m, "ci_low": lo, "ci_high": hi})
    ax.set_xticks(x, ["shipped", "seized", "delivered"])
    ax.set_xlabel("cocaine flow (whole run)")
    ax.set_ylabel("cocaine (kg, mean over replicates)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    title = "Cocaine shipped, seized and delivered per condition"
    ax.set_title(title)
    caption = (
        "Cocaine shipped, seized and delivered over the whole run (kg), mean over replicates "
        "with 95 % bootstrap CI whiskers." + _sweep_note(exp, summary, point, store)
    )
    return _info(fig, folder, "kg_flows", title, caption, pd.DataFrame(rows))


# -- d. map ----------------------------------------------------------------------------------


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


def _map_legend(fig) -> None:
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


def fig_map(exp, store, summary, folder, models) -> FigureInfo:
    point = _first_point(summary, store)
    conds = [c for c in _conditions(exp) if models.get(c)]
    n = max(1, len(conds))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = _figure(4.6 * ncols, 4.4 * nrows + 0.8)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    data = {}
    for ax, cond in zip(axes, conds, strict=False):
        model = models[cond][0]
        data[cond] = draw_run_map(ax, model, f"{cond} (first replicate)")
    for ax in axes[len(conds) :]:
        ax.set_visible(False)
    _map_legend(fig)
    title = "Where cocaine flowed and was seized, per condition (one replicate each)"
    fig.suptitle(title, fontsize=11)
    caption = (
        "One representative replicate per condition (the first stored replicate, same seed in "
        "every condition), re-run in process: routes drawn with a width proportional to the kg "
        "couriers carried on them, transit airports sized by the kg routed through them, "
        "crosses sized by the kg seized there; the star is the coordination hub and "
        "blue-edged airports are connected to it. Offline Natural Earth basemap, lon/lat in "
        "degrees." + _sweep_note(exp, summary, point, store)
    )
    return _info(fig, folder, "map", title, caption, data)


# -- e. displacement -------------------------------------------------------------------------


def _via_shares(header: list[str], arr: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per replicate and day, the share of kg sent through each transit airport."""
    cols = [i for i, h in enumerate(header) if h.startswith("kg_via_")]
    names = [header[i][len("kg_via_") :] for i in cols]
    via = arr[..., cols]  # (reps, days, airports)
    total = via.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, via / np.where(total > 0, total, 1), np.nan)
    return names, share


def _top_airports(names, totals: np.ndarray, k: int = 6) -> list[int]:
    order = np.argsort(-totals, kind="stable")
    return [int(i) for i in order[:k] if totals[i] > 0]


def _stack(ax, days, shares, names, top, in_op):
    """Stacked shares of the top transit airports plus 'other'."""
    layers = [shares[:, i] for i in top]
    rest = [i for i in range(len(names)) if i not in top]
    labels = [names[i] for i in top]
    if rest:
        layers.append(np.nansum(shares[:, rest], axis=1))
        labels.append("other")
    layers = [np.nan_to_num(layer) * 100 for layer in layers]
    colors = [PALETTE[j % len(PALETTE)] for j in range(len(top))] + ["0.75"]
    polys = ax.stackplot(days, *layers, labels=labels, colors=colors[: len(layers)], alpha=0.9)
    for j, poly in enumerate(polys):
        poly.set_hatch(HATCHES[j % len(HATCHES)])
        poly.set_edgecolor("white")
    if np.any(in_op):
        idx = np.flatnonzero(in_op)
        ax.axvline(days[idx[0]] - 0.5, color="black", ls="--", lw=1)
        ax.axvline(days[idx[-1]] + 0.5, color="black", ls="--", lw=1)
    ax.set_ylim(0, 100)
    ax.set_xlim(days[0], days[-1])
    ax.set_xlabel("simulated day")
    ax.set_ylabel("share of kg sent via airport (%)")
    return dict(zip(labels, layers, strict=True))


def fig_displacement(exp, store, summary, folder) -> FigureInfo:
    point = _first_point(summary, store)
    header, arrays = _daily_arrays(store, point)
    col = {h: i for i, h in enumerate(header)}
    conds = [c for c in _conditions(exp) if c in arrays]
    names: list[str] = []
    mean_shares = {}
    totals = None
    for cond in conds:
        names, share = _via_shares(header, arrays[cond])
        with np.errstate(invalid="ignore"):
            mean_shares[cond] = np.nanmean(np.where(np.isnan(share), 0, share), axis=0)
        t = np.nansum(arrays[cond][..., [col[f"kg_via_{n}"] for n in names]], axis=(0, 1))
        totals = t if totals is None else totals + t
    top = _top_airports(names, totals if totals is not None else np.zeros(len(names)))
    n = max(1, len(conds))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = _figure(4.4 * ncols, 3.6 * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True)).ravel()
    rows = []
    for ax, cond in zip(axes, conds, strict=False):
        arr = arrays[cond]
        days = arr[0, :, col["day"]]
        layers = _stack(ax, days, mean_shares[cond], names, top, arr[0, :, col["in_operation"]] > 0)
        ax.set_title(cond, fontsize=9)
        for label, vals in layers.items():
            rows += [
                {"condition": cond, "airport": label, "day": int(d), "share_pct": float(v)}
                for d, v in zip(days, vals, strict=True)
            ]
    for ax in axes[len(conds) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=8, title="transit airport")
    title = "Displacement: share of trafficked kg through each transit airport"
    fig.suptitle(title, fontsize=11)
    caption = (
        "Share of the kg sent each day on itineraries through each transit airport (%), averaged "
        "over replicates; the six busiest transit airports are shown, the rest as 'other'. "
        "Dashed lines bound the operation window." + _sweep_note(exp, summary, point, store)
    )
    return _info(fig, folder, "displacement", title, caption, pd.DataFrame(rows))


# -- f. sweep --------------------------------------------------------------------------------


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def fig_sweep(exp, store, summary, folder) -> FigureInfo | None:
    if not exp.spec.sweep:
        return None
    first = exp.spec.sweep[0]
    param = first.parameter
    others = {s.parameter: s.values[0] for s in exp.spec.sweep[1:]}
    rows = [r for r in summary if all(r["sweep"].get(k) == v for k, v in others.items())]
    metrics = exp.spec.metrics[:4]
    values = list(first.values)
    numeric = all(_is_number(v) for v in values)
    ncols = min(2, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    fig = _figure(5.2 * ncols, 3.6 * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    data = []
    xlabel = first.label or param
    for ax, metric in zip(axes, metrics, strict=False):
        for i, cond in enumerate(_conditions(exp)):
            sub = [r for r in rows if r["metric"] == metric and r["condition"] == cond]
            if not sub:
                continue
            sub.sort(key=lambda r: values.index(r["sweep"][param]))
            xv = [r["sweep"][param] for r in sub]
            x = np.array(xv, dtype=float) if numeric else np.array([values.index(v) for v in xv])
            mean = np.array([r["mean"] for r in sub], dtype=float)
            lo = np.array([r["ci_low"] for r in sub], dtype=float)
            hi = np.array([r["ci_high"] for r in sub], dtype=float)
            st = style(i)
            ax.fill_between(x, lo, hi, color=st.color, alpha=0.2, linewidth=0)
            ax.plot(x, mean, color=st.color, ls=st.linestyle, marker=st.marker, label=cond)
            data += [
                {
                    "metric": metric,
                    "condition": cond,
                    param: v,
                    "mean": m,
                    "ci_low": a,
                    "ci_high": b,
                }
                for v, m, a, b in zip(xv, mean, lo, hi, strict=True)
            ]
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric_label(metric), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    title = f"Outcomes against {xlabel}, per condition"
    fig.suptitle(title, fontsize=11)
    caption = (
        f"Mean of each outcome with 95 % bootstrap CI bands as {xlabel} varies, one line per "
        "condition." + (f" Other swept parameters held at {others}." if others else "")
    )
    return _info(fig, folder, "sweep", title, caption, pd.DataFrame(data))


# -- g. alert timeliness ---------------------------------------------------------------------


def alert_delays(model) -> list[tuple[str, float]]:
    """(channel, hours from the seizure to the alert's delivery) for every delivered alert."""
    reports = model.reports
    return [
        (ev[8], float(ev[0]) - float(reports[ev[10]].time))
        for ev in model.events
        if ev[2] == "alert_delivered" and ev[10] in reports
    ]


def fig_alerts(exp, store, summary, folder, models) -> FigureInfo:
    point = _first_point(summary, store)
    conds = _conditions(exp)
    relayed: dict[str, list[float]] = {}
    national: list[float] = []
    for cond in conds:
        for m in models.get(cond, []):
            for channel, h in alert_delays(m):
                if channel == "national":
                    national.append(h)
                else:
                    relayed.setdefault(cond, []).append(h)
    fig = _figure(11, 4.2)
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
    for _rid, cond, p, _sw, _rep, _seed, metrics, _s in store.metric_rows():
        if p == point:
            for k in ("alert_hits", "random_hits"):
                v = metrics.get(k)
                hits.setdefault(cond, {}).setdefault(k, []).append(np.nan if v is None else v)
    present = [c for c in conds if c in hits]
    x = np.arange(len(present))
    rows = []
    for j, (k, label) in enumerate(
        [("alert_hits", "seizures prompted by alerts"), ("random_hits", "routine-control seizures")]
    ):
        stats = [bootstrap_mean_ci(hits[c][k]) for c in present]
        means = np.array([s[0] for s in stats])
        err = np.abs(np.vstack([means - [s[1] for s in stats], [s[2] for s in stats] - means]))
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
            {"condition": c, "quantity": k, "mean": s[0], "ci_low": s[1], "ci_high": s[2]}
            for c, s in zip(present, stats, strict=True)
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
        "by routine controls per run (mean, 95 % CI)." + _sweep_note(exp, summary, point, store)
    )
    data = {
        "relayed_hours": {c: v for c, v in relayed.items()},
        "national_hours": national,
        "hits": pd.DataFrame(rows),
    }
    return _info(fig, folder, "alerts", title, caption, data)


# -- entry points ----------------------------------------------------------------------------


def _map_and_alerts(exp, store, summary, folder) -> list[FigureInfo]:
    """The two figures that re-run replicates in process share those runs."""
    models = _rerun_models(exp, store, _first_point(summary, store))
    return [
        fig_map(exp, store, summary, folder, models),
        fig_alerts(exp, store, summary, folder, models),
    ]


# The drawing of each job named in `figures.JOBS`: each draws and saves its own figures.
FIGURE_JOBS = {
    "map_and_alerts": _map_and_alerts,
    "timeseries": lambda *a: [fig_timeseries(*a)],
    "displacement": lambda *a: [fig_displacement(*a)],
    "paired": lambda *a: [fig_paired(*a)],
    "kg_bars": lambda *a: [fig_kg_bars(*a)],
    "sweep": lambda *a: [fig_sweep(*a)],
}


def figure_job(job: str, exp, store, summary, folder) -> list[FigureInfo]:
    """Draw one job's figures from an open store."""
    return FIGURE_JOBS[job](exp, store, summary, Path(folder))


def run_figures(model, folder) -> list[FigureInfo]:
    """Figures of one finished run: flows over time, seizures by airport, map, displacement."""
    folder = Path(folder)
    df = model.datacollector.get_model_vars_dataframe()
    days = df["day"].to_numpy(dtype=float)
    in_op = df["in_operation"].to_numpy(dtype=bool)
    label = f"{model.spec.name}, relay {model.relay_mode}, seed {model.seed}"
    out = []

    fig = _figure(8, 4.2)
    ax = fig.subplots()
    _shade_operation(ax, days, in_op)
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
        _info(
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
    fig = _figure(8, 4.2)
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
        _info(
            fig, folder, "seizures_by_airport", title, "Kg seized per airport over the run.", data
        )
    )

    fig = _figure(6.5, 6.2)
    ax = fig.subplots()
    title = f"Flows and seizures ({label})"
    data = draw_run_map(ax, model, title)
    _map_legend(fig)
    out.append(
        _info(
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
    names, share = _via_shares(header, arr)
    via_cols = [header.index(f"kg_via_{x}") for x in names]
    totals = arr[0][:, via_cols].sum(axis=0)
    top = _top_airports(names, totals)
    fig = _figure(8, 4.2)
    ax = fig.subplots()
    layers = _stack(ax, days, share[0], names, top, in_op)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, title="transit airport")
    title = f"Share of trafficked kg through each transit airport ({label})"
    ax.set_title(title, fontsize=9)
    data = pd.DataFrame({"day": days, **layers})
    out.append(
        _info(
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
