"""The report of a calibration: report.html (self-contained) and report.md. It says first, in
words, what the published figures determine and what they do not, what the hub's effect depends
on and which measurement would settle it; the tables and the method follow. No date in it, so
the same results give the same report."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cocair_sim.files.atomic import atomic_write_text
from cocair_sim.report.html import CSS, fmt_value, html_table, md_table

if TYPE_CHECKING:
    from cocair_sim.calibration.job import CalibrationResult

NARROWED = 0.6  # a 90 % interval under this share of the prior's: the figures pinned it down
LEFT_OPEN = 0.85  # over this share: the figures left it (nearly) as open as before


def weighted_quantiles(x, w, qs) -> list[float]:
    """Quantiles of a weighted sample (the posterior's particles)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, x)) for q in qs]


def _signed(v: float) -> str:
    return ("+" if v > 0 else "") + fmt_value(v)


def key_results(r: CalibrationResult) -> list[str]:
    """The report's first lines, in words."""
    effect = r.effects[0]
    q05, _, q50, _, q95 = effect.quantiles
    first = r.drivers[:2]
    depends = " and ".join(d.parameter for d in first)
    narrowing = {d.parameter: d.narrowing for d in r.drivers}
    left_open = [p for p in depends.split(" and ") if narrowing.get(p, 1.0) >= LEFT_OPEN]
    verb = (
        "do not determine"
        if narrowing.get(first[0].parameter, 1.0) >= LEFT_OPEN
        else ("narrow down")
    )
    lines = [
        f"The published figures {verb} the hub's effect: across the worlds they allow, "
        f"the hub changes the cocaine seized at participating airports in the operation week by "
        f"{_signed(q50)} kg (median), between {_signed(q05)} and {_signed(q95)} kg in 90 % of "
        f"them, and does better than no relay in {effect.share_positive:.0%} of them.",
        f"What it depends on most: {depends}"
        + (
            f" ({', '.join(left_open)}: left as open by the figures as before)."
            if left_open
            else "."
        ),
    ]
    base, *records = r.information
    if records:
        best = min(records, key=lambda i: i.width_90)
        what = best.measurement + (f" ({best.size} alerts)" if best.size else "")
        settles = (
            "would narrow it"
            if best.width_90 < 0.9 * base.width_90
            else ("is the best an operation's records offer, and would barely narrow it")
        )
        lines.append(
            f"What to measure next: {what} {settles}, to a 90 % interval {fmt_value(best.width_90)}"
            f" kg wide, against {fmt_value(base.width_90)} kg from the published figures alone "
            "(every record in the table below)."
        )
    for e in r.effects[1:]:
        e05, _, e50, _, e95 = e.quantiles
        lines.append(
            f"Under the {e.prior.removeprefix('informative: ')} evidence from another setting, "
            f"the effect would be {_signed(e50)} kg ({_signed(e05)} to {_signed(e95)}); its "
            "limits of transfer are given below."
        )
    cov50, cov90 = r.sbc.worst()
    lines.append(
        f"The inference is checked on {len(r.sbc.ranks)} held-out simulated operations: its "
        f"50 % and 90 % intervals cover within {cov50:.0f} and {cov90:.0f} points of their "
        "nominal rates for every parameter and effect."
    )
    return lines


def parameter_rows(r: CalibrationResult) -> list[list[str]]:
    """Per parameter: prior, posterior median and 90 % interval, narrowing, source."""
    problem = r.problem
    natural = problem.natural(r.samples)
    narrowing = {d.parameter: d.narrowing for d in r.drivers}
    rows = []
    for j, par in enumerate(r.calibration.spec.parameters):
        med, lo, hi = weighted_quantiles(natural[:, j], r.samples.weights, (0.5, 0.05, 0.95))
        rows.append(
            [
                par.path,
                f"{par.prior.distribution} {fmt_value(par.prior.low)} to "
                f"{fmt_value(par.prior.high)}",
                f"{fmt_value(med)} [{fmt_value(lo)}, {fmt_value(hi)}]",
                f"{narrowing.get(par.path, float('nan')):.2f}",
                par.source,
            ]
        )
    return rows


def write_calibration_report(r: CalibrationResult, out: Path) -> None:
    """report.md and report.html (with its figures embedded) in `out`."""
    from cocair_sim.report.draw.calibration import FIGURES  # noqa: PLC0415 - plotting

    out = Path(out)
    figs = [draw(r, out / "figures") for draw in FIGURES]
    cal = r.calibration
    title = f"COCAIR calibration: {cal.name}"
    desc = " ".join(cal.spec.description.split())
    key = key_results(r)
    vhead = ["measurement", "alerts logged", "90 % interval of the effect (kg)"]
    vrows = [[i.measurement, "" if i.size is None else str(i.size), fmt_value(i.width_90)]
             for i in r.information]  # fmt: skip
    dhead = ["parameter", "rank correlation with the effect [95 %]", "narrowing by the figures"]
    drows = [[d.parameter, f"{d.rho:+.2f} [{d.low:+.2f}, {d.high:+.2f}]", f"{d.narrowing:.2f}"]
             for d in r.drivers[:8]]  # fmt: skip
    shead = ["quantity", "coverage of 50 % intervals", "coverage of 90 % intervals",
             "uniformity p"]  # fmt: skip
    srows = [[s.name, f"{s.coverage_50:.0%}", f"{s.coverage_90:.0%}", f"{s.uniformity_p:.2g}"]
             for s in r.sbc.results]  # fmt: skip
    phead = ["parameter", "prior", "posterior median [90 %]", "narrowing", "source"]
    prows = parameter_rows(r)
    evidence = [
        f"{e.name} (on {e.observable}, between {fmt_value(e.low)} and {fmt_value(e.high)}): "
        f"{e.source}. Limits of transfer: {e.limits}"
        for e in cal.spec.evidence
    ]
    method = (
        f"A reference table of {len(r.problem.table):,} parameter sets drawn from the priors, each "
        "run under every relay mode on common random numbers (cocair table). For the published "
        "figures (each with its own uncertainty added to the table's runs as noise), the nearest "
        f"{cal.spec.accept:.0%} of the table's draws are kept, weighted by the Epanechnikov "
        "kernel of their distance (summaries scaled by their median absolute deviation), and "
        "adjusted by local-linear regression (Beaumont, Zhang and Balding 2002), each parameter "
        "on the logit of its place within its prior's bounds. The paired effects of the draws' "
        "runs are adjusted the same way: their posterior predictive. Simulation-based "
        "calibration (Talts et al. 2018) repeats the inference for held-out draws of the table."
    )
    sections = [
        ("Key results", "list", key),
        ("What to measure next", "table", (vhead, vrows)),
        ("What the effect depends on", "table", (dhead, drows)),
        ("Evidence from other settings", "list", evidence or ["None given."]),
        ("Is the inference calibrated?", "table", (shead, srows)),
        ("Parameters", "table", (phead, prows)),
    ]
    md = [f"# {title}", ""] + ([desc, ""] if desc else [])
    h = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if desc:
        h.append(f"<p>{html.escape(desc)}</p>")
    for heading, kind, content in sections:
        md += [f"## {heading}", ""]
        h.append(f"<h2>{html.escape(heading)}</h2>")
        if kind == "list":
            md += [f"- {line}" for line in content] + [""]
            h += ["<ul>"] + [f"<li>{html.escape(line)}</li>" for line in content] + ["</ul>"]
        else:
            head, rows = content
            md += [md_table(head, rows), ""]
            h.append(html_table(head, rows, 1))
    md += ["## Figures", ""]
    h.append("<h2>Figures</h2>")
    for k, fig in enumerate(figs, start=1):
        md += [f"![{fig.title}](figures/{fig.png.name})", "", f"*Figure {k}. {fig.title}.* "
               f"{fig.caption}", ""]  # fmt: skip
        b64 = base64.b64encode(fig.png.read_bytes()).decode("ascii")
        h.append(
            f'<figure id="fig-{fig.name}"><img alt="{html.escape(fig.title)}" '
            f'src="data:image/png;base64,{b64}"><figcaption><b>Figure {k}. '
            f"{html.escape(fig.title)}.</b> {html.escape(fig.caption)}</figcaption></figure>"
        )
    md += ["## Method", "", method, ""]
    h += ["<h2>Method</h2>", f"<p>{html.escape(method)}</p>", "</body></html>"]
    atomic_write_text(out / "report.md", "\n".join(md))
    atomic_write_text(out / "report.html", "\n".join(h) + "\n")
