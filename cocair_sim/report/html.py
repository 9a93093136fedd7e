"""The policy report of an experiment: figures, report.html (self-contained) and report.md.

Findings are sentences generated from the summary rows (the same numbers as summary.csv,
formatted). The report carries no date, so the same results always give the same report.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

from cocair_sim.experiment.drivers import driver_rows
from cocair_sim.experiment.job import SEEDING
from cocair_sim.experiment.spec import Experiment
from cocair_sim.experiment.store import Store
from cocair_sim.files.atomic import atomic_write_text
from cocair_sim.files.manifest import versions
from cocair_sim.missing import NOT_AVAILABLE, is_missing
from cocair_sim.model.metrics import metric_better, metric_label, metric_unit
from cocair_sim.report.glance import glance
from cocair_sim.report.jobs import experiment_figures
from cocair_sim.scenario.describe import describe_parameter
from cocair_sim.scenario.loading import cached_scenario

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 1050px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; color: #003a63; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; }
th { background: #eef2f6; } td.l, th.l { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #444; }
li.finding { margin-bottom: 0.4em; } .ns { color: #555; }
.glance p { font-size: 1.12em; margin: 0.45em 0; }
code { background: #f4f4f4; padding: 0 3px; }
"""


def fmt_value(v: float) -> str:
    """A mean or difference, readable: 3 significant digits below 100, else whole numbers."""
    if is_missing(v):
        return NOT_AVAILABLE
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def fmt_pct(v: float) -> str:
    """A fraction as a percentage with one decimal (e.g. 0.1449 -> '14.5')."""
    return NOT_AVAILABLE if is_missing(v) else f"{100 * v:.1f}"


def fmt_p(p: float) -> str:
    """A p-value as the report writes it after "p": '< 0.0001' or '= 0.032'."""
    if is_missing(p):
        return NOT_AVAILABLE
    return "< 0.0001" if p < 0.0001 else f"= {p:.2g}"


def significant(row: dict) -> bool:
    """p < 0.05 and the CI of the paired difference excludes 0."""
    p = row.get("wilcoxon_p")
    lo, hi = row.get("diff_ci_low"), row.get("diff_ci_high")
    if is_missing(p) or is_missing(lo) or is_missing(hi):
        return False
    return p < 0.05 and (lo > 0 or hi < 0)


def finding(row: dict, base_mean: float, cond_desc: str = "") -> str:
    """One plain-language sentence for a non-baseline row of summary.csv."""
    cond, base, metric = row["condition"], row["baseline"], metric_label(row["metric"])
    n = row["n"]
    who = f"'{cond}'" + (f" ({cond_desc})" if cond_desc else "")
    means = f"mean {fmt_value(row['mean'])} vs {fmt_value(base_mean)}"
    p = fmt_p(row["wilcoxon_p"])
    if is_missing(row.get("rel_change")):
        change = (
            f"difference {fmt_value(row['diff_mean'])} (95 % CI {fmt_value(row['diff_ci_low'])}"
            f" to {fmt_value(row['diff_ci_high'])}"
        )
        stats = f"{change}, Wilcoxon p {p}, {n} paired replications; {means}"
        if significant(row):
            return f"Condition {who} changed {metric} compared with '{base}': {stats})."
        return (
            f"Condition {who} made no significant difference to {metric} compared with "
            f"'{base}': {stats})."
        )
    rel = row["rel_change"]
    ci = (
        f"95 % CI {fmt_pct(row['rel_ci_low'])} % to {fmt_pct(row['rel_ci_high'])} %, "
        f"Wilcoxon p {p}, {n} paired replications; {means}"
    )
    if significant(row):
        verb = "raised" if rel > 0 else "lowered"
        return (
            f"Condition {who} {verb} {metric} by {fmt_pct(abs(rel))} % compared with "
            f"'{base}' (change {fmt_pct(rel)} %, {ci})."
        )
    return (
        f"Condition {who} made no significant difference to {metric} compared with '{base}' "
        f"(change {fmt_pct(rel)} %, {ci})."
    )


def _point_label(sweep: dict) -> str:
    return ", ".join(f"{k} = {json.dumps(v)}" for k, v in sweep.items())


def findings(exp, summary: list[dict]) -> dict[str, Any]:
    """Findings sentences per sweep point (first 4 metrics x non-baseline conditions), a compact
    table for sweeps and trend sentences."""
    metrics = exp.spec.metrics[:4]
    descs = {c.name: c.description for c in exp.spec.conditions}
    baseline = exp.spec.baseline_condition
    points = sorted({r["point"] for r in summary})
    base_mean = {
        (r["point"], r["metric"]): r["mean"] for r in summary if r["condition"] == baseline
    }
    per_point: list[tuple[dict, list[str]]] = []
    table: list[dict] = []
    for p in points:
        sentences = []
        sweep = {}
        for metric in metrics:
            for r in summary:
                if r["point"] != p or r["metric"] != metric or "diff_mean" not in r:
                    continue
                sweep = r["sweep"]
                sentences.append(
                    finding(r, base_mean.get((p, metric), math.nan), descs.get(r["condition"], ""))
                )
                table.append(r)
        per_point.append((sweep, sentences))
    trends = []
    if exp.spec.sweep and len(points) > 1:
        for metric in metrics:
            for cond in (c.name for c in exp.spec.conditions if c.name != baseline):
                rows = [r for r in table if r["metric"] == metric and r["condition"] == cond]
                if len(rows) < 2:
                    continue
                a, b = rows[0], rows[-1]
                above = [r for r in rows if significant(r) and r["diff_mean"] > 0]
                below = [r for r in rows if significant(r) and r["diff_mean"] < 0]
                level = [r for r in rows if not significant(r)]
                sentence = (
                    f"For {metric_label(metric)}, the change of '{cond}' against '{baseline}' "
                    f"went from {fmt_pct(a['rel_change'])} % at {_point_label(a['sweep'])} to "
                    f"{fmt_pct(b['rel_change'])} % at {_point_label(b['sweep'])}. '{cond}' is "
                    f"significantly above '{baseline}' at {len(above)} of {len(rows)} sweep "
                    f"points and below at {len(below)}"
                )
                if level and len(level) < len(rows):
                    shown = "; ".join(_point_label(r["sweep"]) for r in level[:12])
                    more = f" and {len(level) - 12} more" if len(level) > 12 else ""
                    sentence += f"; no significant difference at {shown}{more}"
                trends.append(sentence + ".")
    return {"per_point": per_point, "table": table, "trends": trends}


def headline(exp, summary: list[dict]) -> list[str]:
    """The report's first lines: each condition against the baseline on the first two outcomes
    that have a better direction, with the mean difference, the range of single paired weeks and
    how often the condition did better; and which uncertainty those ranges hold."""
    metrics = [m for m in exp.spec.metrics if metric_better(m)][:2]
    lines = []
    for metric in metrics:
        better = metric_better(metric)
        for r in summary:
            if r["metric"] != metric or "diff_mean" not in r or r["point"] != summary[0]["point"]:
                continue
            unit = f" {metric_unit(metric)}" if metric_unit(metric) else ""
            share, worse = (
                (r["share_above"], r["share_below"])
                if better == "higher"
                else (r["share_below"], r["share_above"])
            )
            lines.append(
                f"'{r['condition']}' against '{r['baseline']}', {metric_label(metric)}: "
                f"{_signed(r['diff_mean'])}{unit} on average (95 % CI of the mean "
                f"{_signed(r['diff_ci_low'])} to {_signed(r['diff_ci_high'])}); in 90 % of "
                f"paired runs the difference lies between {_signed(r['diff_p05'])} and "
                f"{_signed(r['diff_p95'])}{unit}, and '{r['condition']}' did better than "
                f"'{r['baseline']}' in {fmt_pct(share)} % of them (worse in {fmt_pct(worse)} %, "
                "the same in the rest)."
            )
    if exp.posterior is not None:
        lines.append(
            "These ranges combine two uncertainties: the calibrated parameters (each replicate "
            f"draws its values from the posterior {exp.posterior.path.name}, the same in every "
            "condition) and the simulation's chance (who travels, who is controlled)."
        )
    else:
        lines.append(
            "These ranges show the simulation's chance only: every parameter is fixed at the "
            "scenario's value. Name a calibration's posterior in the experiment file to include "
            "the parameters' uncertainty."
        )
    return lines


def _driver_table(exp, store, scenario, top: int = 5) -> tuple[list[str], list[list[str]]] | None:
    """The strongest drivers of the headline differences, over a posterior (parameters in
    words)."""
    if exp.posterior is None:
        return None
    metrics = [m for m in exp.spec.metrics if metric_better(m)][:2]
    rows, seen = [], {}
    for r in driver_rows(exp, store):
        key = (r["metric"], r["condition"])
        if r["point"] != 0 or r["metric"] not in metrics or seen.get(key, 0) >= top:
            continue
        seen[key] = seen.get(key, 0) + 1
        rows.append(
            [
                metric_label(r["metric"]),
                r["condition"],
                describe_parameter(scenario, r["parameter"]),
                f"{r['spearman_rho']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]",
            ]
        )
    return ["outcome", "condition", "parameter", "Spearman rho [95 % CI]"], rows


def _signed(v: float) -> str:
    return NOT_AVAILABLE if is_missing(v) else ("+" if v > 0 else "") + fmt_value(v)


ASSUMPTIONS = [
    "The relay parameters (national delay, hub latency and capacity, talk probability, alert "
    "lifetime) are estimates from the operation's public description, not measured values.",
    "There is no published effect size for intelligence relay at airports to validate "
    "against; the model shows mechanisms and orders of magnitude, not forecasts.",
    "Only cocaine carried by air couriers is modelled (no other drugs, cargo or mail).",
    "Conditions share their random streams (paired replicates), so the differences isolate "
    "the policy change. Whether the intervals also hold the parameters' uncertainty is said "
    "under Headline.",
    "See docs/ODD.md for the full model description and its assumptions.",
]


def _summary_table_rows(exp, summary: list[dict]) -> tuple[list[str], list[list[str]]]:
    sweep = bool(exp.spec.sweep)
    head = (["sweep point"] if sweep else []) + [
        "outcome",
        "condition",
        "n",
        "mean",
        "95 % CI",
        "difference vs baseline [95 % CI]",
        "change % [95 % CI]",
        "Wilcoxon p",
        "d_z",
    ]
    rows = []
    for r in summary:
        cells = [_point_label(r["sweep"])] if sweep else []
        cells += [
            metric_label(r["metric"]),
            r["condition"],
            str(r["n"]),
            fmt_value(r["mean"]),
            f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}",
        ]
        if "diff_mean" in r:
            cells += [
                f"{fmt_value(r['diff_mean'])} [{fmt_value(r['diff_ci_low'])}, "
                f"{fmt_value(r['diff_ci_high'])}]",
                f"{fmt_pct(r['rel_change'])} [{fmt_pct(r['rel_ci_low'])}, "
                f"{fmt_pct(r['rel_ci_high'])}]",
                fmt_p(r["wilcoxon_p"]).lstrip("= "),
                NOT_AVAILABLE if is_missing(r["effect_size_dz"]) else f"{r['effect_size_dz']:.2f}",
            ]
        else:
            cells += ["(baseline)", "", "", ""]
        rows.append(cells)
    return head, rows


def _compact_rows(exp, table: list[dict]) -> tuple[list[str], list[list[str]]]:
    head = ["sweep point", "outcome", "condition", "change % [95 % CI]", "Wilcoxon p", "verdict"]
    rows = [
        [
            _point_label(r["sweep"]),
            metric_label(r["metric"]),
            r["condition"],
            f"{fmt_pct(r['rel_change'])} [{fmt_pct(r['rel_ci_low'])}, {fmt_pct(r['rel_ci_high'])}]",
            fmt_p(r["wilcoxon_p"]).lstrip("= "),
            "significant" if significant(r) else "no significant difference",
        ]
        for r in table
    ]
    return head, rows


def html_table(head: list[str], rows: list[list[str]], left: int = 3) -> str:
    """An HTML table of text cells (escaped); the first `left` columns are left-aligned."""

    def cls(i: int) -> str:
        return ' class="l"' if i < left else ""

    out = [
        "<table>",
        "<tr>"
        + "".join(f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(head))
        + "</tr>",
    ]
    for row in rows:
        out.append(
            "<tr>"
            + "".join(f"<td{cls(i)}>{html.escape(c)}</td>" for i, c in enumerate(row))
            + "</tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def md_table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of text cells (`|` escaped)."""

    def esc(c: str) -> str:
        return c.replace("|", "\\|")

    lines = ["| " + " | ".join(map(esc, head)) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(lines)


def _setup_items(exp: Experiment, store: Store) -> list[str]:
    spec = exp.spec
    items = [
        f"Experiment: {spec.name} (file {exp.path.name})",
        f"Scenario: {exp.scenario_name} (file {exp.scenario_path.name})",
        f"Baseline condition: {spec.baseline_condition}",
        f"Replications per condition and sweep point: {spec.replications} (paired by seed)",
        f"Base seed: {spec.base_seed}",
    ]
    if spec.set:
        items.append(f"Overrides for every run: {json.dumps(spec.set)}")
    if exp.posterior is not None:
        items.append(
            f"Posterior: {spec.posterior} ({len(exp.posterior.weights)} particles); each "
            f"replicate draws one by weight for all its conditions, setting "
            f"{', '.join(exp.posterior.fields)}"
        )
    for s in spec.sweep:
        items.append(f"Sweep: {s.label or s.parameter} over {json.dumps(s.values)}")
    for c in spec.conditions:
        items.append(
            f"Condition '{c.name}': {c.description or '(no description)'}; overrides "
            f"{json.dumps(c.set)}"
        )
    items.append("Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    items.append(
        f"Runs: {store.count()} stored; experiment content sha256 {exp.content_hash()[:12]}; "
        f"seeding: {SEEDING}"
    )
    return items


def _figure_md(fig, k: int) -> list[str]:
    rel = f"figures/{fig.png.name}"
    return [f"![{fig.title}]({rel})", "", f"*Figure {k}. {fig.title}.* {fig.caption}", ""]


def _figure_html(fig, k: int) -> str:
    b64 = base64.b64encode(fig.png.read_bytes()).decode("ascii")
    return (
        f'<figure id="fig-{fig.name}"><img alt="{html.escape(fig.title)}" '
        f'src="data:image/png;base64,{b64}"><figcaption><b>Figure {k}. '
        f"{html.escape(fig.title)}.</b> {html.escape(fig.caption)}</figcaption></figure>"
    )


def write_report(
    exp, store, out: Path, summary: list[dict], executor=None, started=None
) -> dict[str, Path]:
    """Write out/figures/*, out/report.html (self-contained) and out/report.md; figures are
    drawn on `executor` (a local process pool) when given, `started` ones already are."""
    out = Path(out)
    figs = experiment_figures(exp, store, summary, out / "figures", executor, started)
    f = findings(exp, summary)
    setup = _setup_items(exp, store)
    title = f"COCAIR simulation: {exp.spec.name}"
    desc = " ".join(exp.spec.description.split())
    sweep = bool(exp.spec.sweep)
    md: list[str] = [f"# {title}", ""]
    h: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    scenario = cached_scenario(exp.scenario_path, exp.spec.set)
    opening = glance(exp, summary, scenario)
    md += ["## At a glance", ""] + [f"{s}" for s in opening.sentences] + [""]
    h += ["<h2>At a glance</h2>", '<div class="glance">']
    h += [f"<p>{html.escape(s)}</p>" for s in opening.sentences] + ["</div>"]
    shown = next((fig for fig in figs if fig.name == opening.figure), None)
    if shown is not None:
        md += _figure_md(shown, 1)
        h.append(_figure_html(shown, 1))
    lead = headline(exp, summary)
    md += ["## For analysts", "", "### Statistical summary", ""] + [f"- {s}" for s in lead] + [""]
    h += ["<h2>For analysts</h2>", "<h3>Statistical summary</h3>", '<ul class="headline">']
    h += [f"<li>{html.escape(s)}</li>" for s in lead] + ["</ul>"]
    drivers = _driver_table(exp, store, scenario)
    if drivers is not None:
        head, rows = drivers
        note = (
            "What the difference depends on: the rank correlation (Spearman) of each drawn "
            "parameter with the paired difference, over replicates, with its 95 % interval; "
            "the five strongest per outcome (all in drivers.csv)."
        )
        md += [note, "", md_table(head, rows), ""]
        h += [f"<p>{html.escape(note)}</p>", html_table(head, rows, 3)]
    if desc:
        md += [desc, ""]
        h.append(f"<p>{html.escape(desc)}</p>")
    md += ["### What was run", ""] + [f"- {i}" for i in setup] + [""]
    h += ["<h3>What was run</h3>", "<ul>"] + [f"<li>{html.escape(i)}</li>" for i in setup]
    h.append("</ul>")

    md += ["### Key findings", ""]
    h += ["<h3>Key findings</h3>"]
    for sweep_point, sentences in f["per_point"]:
        if sweep and sweep_point:
            label = _point_label(sweep_point)
            if sweep_point != f["per_point"][0][0]:
                continue  # sweeps: sentences for the first point, the rest in the table
            md += [f"At {label}:", ""]
            h.append(f"<p>At {html.escape(label)}:</p>")
        md += [f"- {s}" for s in sentences] + [""]
        h.append('<ul class="findings">')
        h += [
            f'<li class="finding{"" if "no significant" not in s else " ns"}">{html.escape(s)}</li>'
            for s in sentences
        ]
        h.append("</ul>")
    if sweep:
        head, rows = _compact_rows(exp, f["table"])
        md += ["#### Across the sweep", "", md_table(head, rows), ""]
        md += [f"- {t}" for t in f["trends"]] + [""]
        h += ["<h4>Across the sweep</h4>", html_table(head, rows)]
        h += ["<ul>"] + [f"<li>{html.escape(t)}</li>" for t in f["trends"]] + ["</ul>"]
    note = (
        "A difference is called significant when the Wilcoxon signed-rank p-value is below "
        "0.05 and the 95 % bootstrap CI of the paired difference excludes zero."
    )
    md += [f"_{note}_", ""]
    h.append(f"<p><em>{html.escape(note)}</em></p>")

    md += ["### Figures", ""]
    h.append("<h3>Figures</h3>")
    others = [fig for fig in figs if fig is not shown]
    for k, fig in enumerate(others, start=2 if shown is not None else 1):
        md += _figure_md(fig, k)
        h.append(_figure_html(fig, k))

    head, rows = _summary_table_rows(exp, summary)
    md += ["### Summary table", "", "Same numbers as summary.csv (rounded).", ""]
    md += [md_table(head, rows), ""]
    h += ["<h3>Summary table</h3>", "<p>Same numbers as summary.csv (rounded).</p>"]
    h.append(html_table(head, rows, left=3 if sweep else 2))

    md += ["### Assumptions that matter", ""] + [f"- {a}" for a in ASSUMPTIONS] + [""]
    h += ["<h3>Assumptions that matter</h3>", "<ul>"]
    h += [f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS] + ["</ul>", "</body></html>"]

    atomic_write_text(out / "report.md", "\n".join(md))
    atomic_write_text(out / "report.html", "\n".join(h) + "\n")
    return {"html": out / "report.html", "md": out / "report.md", "figures": out / "figures"}
