"""The sensitivity analysis's figure: the main index of each parameter, with its CI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from cocair_sim.report.draw.style import save


def bar_chart(spec, rows: list[dict], folder: Path) -> list[Path]:
    """One panel per output: the main index per parameter with its 95 % CI."""
    main_index = "mu_star" if spec.method == "morris" else "ST"
    outputs = spec.outputs
    fig = Figure(figsize=(7.5, 2.2 + 0.35 * len(spec.parameters) * len(outputs)))
    axes = fig.subplots(len(outputs), 1, squeeze=False)[:, 0]
    for ax, output in zip(axes, outputs, strict=True):
        sel = [r for r in rows if r["output"] == output and r["index"] == main_index]
        sel.sort(key=lambda r: r["value"])
        y = np.arange(len(sel))
        ax.barh(
            y,
            [r["value"] for r in sel],
            xerr=[np.nan_to_num(r["conf"]) for r in sel],
            color="#0072B2",
            edgecolor="black",
            hatch="//",
            capsize=3,
        )
        ax.set_yticks(y, [r["parameter"] for r in sel])
        unit = "(output units)" if main_index == "mu_star" else "(share of variance)"
        ax.set_xlabel(f"{main_index} {unit}")
        what = output if spec.compare is None else f"{output}, {spec.compare.label}"
        ax.set_title(f"Sensitivity of {what}: {main_index} with 95 % CI", loc="left")
    fig.tight_layout()
    return list(save(fig, folder, "sensitivity"))
