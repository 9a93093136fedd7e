"""The report of a calibration: report.html (self-contained) and report.md, in the style of the
experiment report. No date in it, so the same results give the same report."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import numpy as np

from cocair_sim.files.atomic import atomic_write_text
from cocair_sim.report.html import CSS, fmt_value, html_table, md_table


def weighted_quantiles(x, w, qs) -> list[float]:
    """Quantiles of a weighted sample (the posterior's particles)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, x)) for q in qs]


def parameter_rows(calibration, posterior, narrowing: dict[str, float]) -> list[list[str]]:
    """The report's parameter table: each parameter's prior, posterior median and 90 %
    interval, how much the calibration narrowed it, and its source."""
    w = posterior["weight"].to_numpy()
    rows = []
    for par in calibration.spec.parameters:
        med, lo, hi = weighted_quantiles(posterior[par.path].to_numpy(), w, (0.5, 0.05, 0.95))
        prior = (
            f"{par.prior.distribution} {fmt_value(par.prior.low)} to {fmt_value(par.prior.high)}"
        )
        rows.append(
            [
                par.path,
                prior,
                f"{fmt_value(med)} [{fmt_value(lo)}, {fmt_value(hi)}]",
                f"{narrowing[par.path]:.2f}",
                par.source,
            ]
        )
    return rows


def target_rows(calibration, summary: list[dict[str, Any]]) -> list[list[str]]:
    """The report's target table: each published value against the posterior predictive, and
    whether the 90 % interval holds it."""
    rows = []
    for target, s in zip(calibration.targets, summary, strict=True):
        scope = target.scope if isinstance(target.scope, str) else ", ".join(target.scope)
        unc = f"sd {target.uncertainty.sd:g} ({target.uncertainty.scale})"
        inside = s["p05"] <= target.value <= s["p95"]
        rows.append(
            [
                target.name,
                f"{target.statistic}, {scope}, {target.window}",
                fmt_value(target.value),
                unc,
                f"{fmt_value(s['median'])} [{fmt_value(s['p05'])}, {fmt_value(s['p95'])}]",
                f"{s['quantile']:.2f}",
                "yes" if inside else "no",
                target.source,
            ]
        )
    return rows


def write_calibration_report(
    cal, out: Path, posterior, generations, predictive, summary, stopped: str | None = None
) -> None:
    """Draw the calibration's figures into out/figures and write out/report.html and
    out/report.md (`stopped`: why the generations stopped)."""
    # The plotting stack is loaded only by the process that draws figures: the report layer
    # is imported wherever a job's outputs are assembled.
    from cocair_sim.report.draw.calibration import FIGURES, CalibrationData  # noqa: PLC0415

    out = Path(out)
    data = CalibrationData(cal, posterior, generations, predictive, summary)
    figs = [draw(data, out / "figures") for draw in FIGURES]
    title = f"COCAIR calibration: {cal.name}"
    covered = sum(s["p05"] <= s["published"] <= s["p95"] for s in summary)
    runs = sum(g["model_runs"] for g in generations)
    last = generations[-1] if generations else {"epsilon": float("nan")}
    narrowing = data.narrowing()
    narrowed = [p for p, r in sorted(narrowing.items(), key=lambda kv: kv[1]) if r < 0.6]
    loose = [p for p, r in narrowing.items() if r >= 0.85]
    findings = [
        f"{len(generations)} generations of {cal.spec.population_size} particles, "
        f"{runs:,} model runs; the final tolerance is {last['epsilon']:.3g} (a distance in "
        f"target uncertainties). Stopped: {stopped or 'n/a'}.",
        f"The posterior predictive 90 % interval covers {covered} of {len(summary)} published "
        "results.",
        "Narrowed by the published results (posterior sd under 0.6 of the prior's): "
        + (", ".join(narrowed) if narrowed else "none")
        + ".",
        "Left almost as uncertain as before (0.85 of the prior's sd or more): "
        + (", ".join(loose) if loose else "none")
        + ". Their whole range is carried into every experiment run over this posterior.",
    ]
    desc = " ".join(cal.spec.description.split())
    thead = [
        "target",
        "statistic, scope, window",
        "published",
        "uncertainty",
        "predictive median [90 %]",
        "published at quantile",
        "inside",
        "source",
    ]
    trows = target_rows(cal, summary)
    phead = ["parameter", "prior", "posterior median [90 %]", "sd ratio", "source"]
    prows = parameter_rows(cal, posterior, narrowing)
    method = (
        "Approximate Bayesian computation by sequential Monte Carlo (pyabc): particles drawn "
        "from the priors are run through the model; a run is accepted when its distance to the "
        "published results (Euclidean, each target on its own scale divided by its "
        "uncertainty) is below the generation's tolerance, the median distance of the previous "
        "generation. New particles are proposed by perturbing the previous generation's with a "
        "multivariate normal kernel, and 15 % are drawn from the prior, which keeps the "
        "importance weights from collapsing onto a few particles with some twenty parameters "
        "(defensive importance sampling). Loguniform parameters are sampled as their logarithm. "
        "The last generation's weighted particles are the posterior (posterior.csv)."
        " Counts published for all drugs are compared with the model's cocaine counts divided "
        "by the cocaine share of cases, itself a calibrated parameter."
    )

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
    md += ["## Key results", ""] + [f"- {f}" for f in findings] + [""]
    h += ["<h2>Key results</h2>", "<ul>"] + [f"<li>{html.escape(f)}</li>" for f in findings]
    h.append("</ul>")
    md += ["## Published results and the posterior predictive", "", md_table(thead, trows), ""]
    h += ["<h2>Published results and the posterior predictive</h2>", html_table(thead, trows, 2)]
    md += ["## Parameters", "", md_table(phead, prows), ""]
    h += ["<h2>Parameters</h2>", html_table(phead, prows, 2)]
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
