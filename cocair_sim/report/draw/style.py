"""How every figure looks, and how it is saved.

Everything is drawn on `matplotlib.figure.Figure` objects with the Agg canvas (no pyplot state),
saved as PNG (200 dpi) and SVG. Conditions get Okabe-Ito colours *and* distinct line styles,
markers and hatches, so they stay distinguishable for colour-blind readers and in greyscale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cocair_sim.report.registry import FigureInfo

DPI = 200
# Okabe-Ito, ordered so that neighbours also differ in lightness (greyscale).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
OPERATION_SHADE = "0.85"


@dataclass(frozen=True)
class Style:
    """How one condition is drawn: colour, line style, marker and hatch."""

    color: str
    linestyle: Any
    marker: str
    hatch: str


def style(i: int) -> Style:
    """The style of the `i`-th condition (styles cycle past the palette's length)."""
    return Style(
        PALETTE[i % len(PALETTE)],
        LINESTYLES[i % len(LINESTYLES)],
        MARKERS[i % len(MARKERS)],
        HATCHES[i % len(HATCHES)],
    )


def warm_up() -> None:
    """Load what drawing needs (this module's imports, fonts, the Agg renderer) in a worker
    before its first figure job; `run_all` queues it behind the last runs of an experiment."""
    fig = figure(1, 1)
    fig.subplots().set_title("warm-up")
    FigureCanvasAgg(fig).print_png(io.BytesIO())


def figure(w: float, h: float) -> Figure:
    """A new figure of `w` x `h` inches, with constrained layout, on its own Agg canvas."""
    fig = Figure(figsize=(w, h), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, folder: Path, name: str) -> tuple[Path, Path]:
    """Save `fig` as folder/name.png and .svg; the same figure always gives the same bytes
    (no dates or versions, SVG ids salted by the figure's name instead of at random)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    fig.savefig(png, dpi=DPI, metadata={"Software": None})
    with matplotlib.rc_context({"svg.hashsalt": name}):
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return png, svg


def info(fig, folder, name, title, caption, data) -> FigureInfo:
    """Save `fig` as `name` in `folder`; the saved figure with its title, caption and data."""
    png, svg = save(fig, folder, name)
    return FigureInfo(name, title, caption, png, svg, data)


def shade_operation(ax, days, in_op) -> None:
    """Shade the operation window's days (`in_op` true) in grey behind the data, labelled once
    for the legend."""
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
