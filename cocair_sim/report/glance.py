"""The first screen of an experiment report, written for policy staff.

A sentence per question, in plain words: what each condition changed in the outcomes that come
first in the experiment file, how much single weeks vary around that, and (when the experiment
names a calibration's `surface:`) what the published figures do and do not determine about the
effect, what it depends on and where the hub stops paying off. Modes and parameters are named in
words, numbers rounded to what the runs support: one significant figure of the interval's
half-width sets the last digit shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from cocair_sim.files.calibration_results import CalibrationResults
from cocair_sim.intel.relay import relay_modes
from cocair_sim.missing import as_float, is_missing
from cocair_sim.model.metrics import metric_better, metric_label, metric_unit
from cocair_sim.scenario.describe import describe_parameter

# The top driver narrowed to more than this share of its prior: the figures do not determine it.
UNDETERMINED = 0.8


@dataclass(frozen=True)
class Glance:
    """The report's opening: its sentences and the one figure shown with them."""

    sentences: list[str]
    figure: str


def _decimals(half_width: float) -> int:
    """Decimal places that keep one significant figure of an interval's half-width (negative:
    tens, hundreds)."""
    if not math.isfinite(half_width) or half_width <= 0:
        return 1
    return -math.floor(math.log10(half_width))


def rounded(value: float, half_width: float) -> str:
    """`value` rounded to what an interval of `half_width` supports, without its sign."""
    if is_missing(value):
        return "n/a"
    digits = _decimals(half_width)
    text = f"{abs(round(value, digits)):,.{max(digits, 0)}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def _what(metric: str) -> str:
    """An outcome's label without its unit and window ("cocaine seized at ... airports")."""
    label = re.sub(r" \([^)]*\)$", "", metric_label(metric))
    return label.replace(" in the operation window", "")


def condition_words(exp, name: str) -> str:
    """A condition in words: its relay mode's label when that is all it sets."""
    cond = next(c for c in exp.spec.conditions if c.name == name)
    mode = cond.set.get("relay.mode")
    if mode is not None and set(cond.set) == {"relay.mode"} and mode in relay_modes():
        return relay_modes()[mode].label
    return cond.description or name


def _amount(value: float, half: float, unit: str) -> str:
    return f"{rounded(value, half)} {unit}".strip()


def outcome_sentences(exp, summary: list[dict], metrics: list[str]) -> list[str]:
    """Per outcome, one sentence on every condition's mean change against the baseline; then
    one on how single weeks vary in the first outcome."""
    baseline = exp.spec.baseline_condition
    base = condition_words(exp, baseline)
    point = summary[0]["point"] if summary else 0
    out = []
    for k, metric in enumerate(metrics):
        unit, what, better = metric_unit(metric), _what(metric), metric_better(metric)
        rows = [r for r in summary if r["metric"] == metric and r["point"] == point
                and "diff_mean" in r]  # fmt: skip
        parts = [_change(exp, r, unit) for r in rows]
        if not parts:
            continue
        out.append(
            f"Compared with {base}, {what} in the operation week was " + _listing(parts) + "."
        )
        if k == 0 and better is not None:
            weeks = [_weeks(exp, r, unit, better) for r in rows]
            out.append("Single weeks vary more: " + "; ".join(weeks) + ".")
    return out


def _change(exp, r: dict, unit: str) -> str:
    """ "about 20 kg higher (+57 %) with the coordination hub (OCU)", or "about the same"."""
    cond = condition_words(exp, r["condition"])
    mean, low, high = (as_float(r[k]) for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
    if not (low > 0 or high < 0):
        return (
            f"about the same with the {cond} (between {_signed(low, (high - low) / 2, unit)} "
            f"and {_signed(high, (high - low) / 2, unit)} on average)"
        )
    change = ""
    if not is_missing(r.get("rel_change")):
        rel = as_float(r["rel_change"])
        rel_half = 50 * (as_float(r["rel_ci_high"]) - as_float(r["rel_ci_low"]))
        change = f" ({'+' if rel > 0 else '-'}{rounded(100 * rel, rel_half)} %)"
    direction = "higher" if mean > 0 else "lower"
    return f"about {_amount(mean, (high - low) / 2, unit)} {direction}{change} with the {cond}"


def _weeks(exp, r: dict, unit: str, better: str) -> str:
    """The range of single paired weeks' differences, and how often the condition did better."""
    cond = condition_words(exp, r["condition"])
    p05, p95 = as_float(r["diff_p05"]), as_float(r["diff_p95"])
    spread = (p95 - p05) / 2
    share = as_float(r["share_above"] if better != "lower" else r["share_below"])
    return (
        f"with the {cond}, from {_signed(p05, spread, unit)} to {_signed(p95, spread, unit)} "
        f"in 90 % of weeks, better in {round(100 * share):.0f} % of them"
    )


def _signed(value: float, half: float, unit: str) -> str:
    text = rounded(value, half)
    sign = "" if text == "0" else ("+" if value > 0 else "-")
    return f"{sign}{text} {unit}".strip()


def evidence_sentences(exp, evidence: CalibrationResults, scenario) -> list[str]:
    """What the calibration says the published figures determine about the effect."""
    if not evidence.surfaces:
        return []
    grid = evidence.surfaces[0]
    _, _, outcome = grid.effect.split(":", 1)[1].partition(":")
    unit, what = metric_unit(outcome), _what(outcome)
    drivers = sorted(evidence.drivers, key=lambda d: -abs(as_float(d["spearman_rho"])))[:3]
    depends = [describe_parameter(scenario, d["parameter"]) for d in drivers]
    narrowing = [as_float(d["narrowing"]) for d in drivers]
    out = []
    vague = next((e for e in evidence.effects if e["prior"].startswith("vague")), None)
    if vague is not None:
        q05, q95 = as_float(vague["q05"]), as_float(vague["q95"])
        half = (q95 - q05) / 4
        undetermined = bool(narrowing) and narrowing[0] > UNDETERMINED
        verb = "do not determine" if undetermined else "narrow down"
        out.append(
            f"The published figures {verb} the hub's effect: over the worlds they allow, its "
            f"expected effect on {what} lies between {_signed(q05, half, unit)} and "
            f"{_signed(q95, half, unit)} against no relay (90 % of them)."
        )
    if depends:
        out.append(
            "It depends most on "
            + _listing(depends)
            + ", which no published figure measures"
            + (" well." if any(n < UNDETERMINED for n in narrowing) else ".")
        )
    if vague is not None and not is_missing(vague.get("share_positive")):
        worse = 1 - as_float(vague["share_positive"])
        sentence = (
            f"The hub does worse than no relay in about {round(100 * worse):.0f} % of the worlds "
            "the figures allow"
        )
        allowed = grid.allowed()
        losing = allowed & (grid.mean < 0)
        if losing.any():
            x_words = describe_parameter(scenario, grid.x_name)
            y_words = describe_parameter(scenario, grid.y_name)
            xs = np.broadcast_to(grid.x[None, :], grid.mean.shape)[losing]
            ys = np.broadcast_to(grid.y[:, None], grid.mean.shape)[losing]
            sentence += (
                f": coordination stops paying off where {x_words} is "
                f"{'low' if xs.mean() < grid.x.mean() else 'high'} and {y_words} "
                f"{'low' if ys.mean() < grid.y.mean() else 'high'} (the black line)."
            )
        else:
            sentence += (
                f", but no range of {describe_parameter(scenario, grid.x_name)} or "
                f"{describe_parameter(scenario, grid.y_name)} alone makes it do worse on average."
            )
        out.append(sentence)
    for e in evidence.effects:
        if e["prior"].startswith("informative"):
            q05, q95 = as_float(e["q05"]), as_float(e["q95"])
            source = e["prior"].split(":", 1)[1].strip().replace("_", " ")
            out.append(
                f"Adding evidence from outside the operations ({source}), the range is "
                f"{_signed(q05, (q95 - q05) / 4, unit)} to {_signed(q95, (q95 - q05) / 4, unit)}."
            )
    best = _best_record(evidence, unit)
    if best is not None:
        out.append(best)
    return out


def _best_record(evidence: CalibrationResults, unit: str) -> str | None:
    """The record that would narrow the effect most, as a sentence."""
    unit = f" {unit}" if unit else ""
    rows = [r for r in evidence.information if not is_missing(r.get("width_90"))]
    base = next((r for r in rows if r["measurement"].startswith("the published")), None)
    others = [r for r in rows if r is not base]
    if base is None or not others:
        return None
    best = min(others, key=lambda r: as_float(r["width_90"]))
    width, base_width = as_float(best["width_90"]), as_float(base["width_90"])
    what = best["measurement"]
    if best.get("alerts_logged"):
        what = f"{what} (for {best['alerts_logged']} alerts)"
    share = 1 - width / base_width
    if share < 0.1:
        return (
            f"None of the records an operation could keep narrows it much: the best, {what}, "
            f"would take the 90 % range from ±{base_width / 2:.0f} to ±{width / 2:.0f}{unit}."
        )
    return (
        f"Recording {what} would narrow it from ±{base_width / 2:.0f} to "
        f"±{width / 2:.0f}{unit} (90 % range)."
    )


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def glance(exp, summary: list[dict], scenario) -> Glance:
    """The opening of an experiment's report."""
    metrics = [m for m in exp.spec.metrics if metric_better(m)][:2]
    sentences = outcome_sentences(exp, summary, metrics)
    if exp.evidence is not None:
        sentences += evidence_sentences(exp, exp.evidence, scenario)
        return Glance(sentences, "surface")
    return Glance(sentences, "week_differences")
