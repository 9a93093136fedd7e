"""The debrief in words a customs officer reads, in the page's language.

One sentence per comparison (the class against each automatic mode on the same couriers), each
team's decisions as a log, and the calibrated view: what the hub does in worlds drawn from the
COCAIR III posterior (the shipped analyses beside `experiments/posteriors/cocair3.csv`), what it
depends on, and where the classroom world's settings differ from the calibrated ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from typing import Any

from cocair_sim import shipped
from cocair_sim.classroom.i18n import N_, Translate
from cocair_sim.intel.relay import relay_modes
from cocair_sim.scenario.schema import Scenario

ANALYSES = "posteriors/cocair3"  # beside the shipped posterior, in the experiments folder
HEADLINE = "kg_seized_participants"

# The classroom world's settings a trainee should know differ from the calibrated world's: the
# scenario path, its label, and (for the calibrated value) the calibration's parameter.
SETTINGS = (
    ("relay.targeting_uplift", N_("how many times more often an alert gets a matching "
                                  "passenger controlled"), "relay.targeting_uplift"),
    ("relay.controls_per_alert", N_("controls a day each alert takes on look-alike "
                                    "passengers"), "relay.controls_per_alert"),
    ("couriers", N_("couriers a week per organisation"), "couriers_per_week"),
)  # fmt: skip


def mode_words(mode: str, t: Translate) -> str:
    """A relay mode in the page's words."""
    labels = {
        "none": N_("no relay"),
        "bilateral": N_("bilateral exchange"),
        "hub": N_("the coordination hub (OCU)"),
    }
    return t(labels[mode]) if mode in labels else relay_modes()[mode].label


def comparisons(results: dict[str, dict[str, float]], t: Translate) -> list[str]:
    """One sentence per automatic mode: what the class achieved against it."""
    mine = results["class"][HEADLINE]
    out = [t("The class seized {kg} kg of cocaine at the participating airports in the "
             "operation week.", kg=f"{mine:.1f}")]  # fmt: skip
    for mode, values in results.items():
        if mode == "class":
            continue
        diff = mine - values[HEADLINE]
        words = mode_words(mode, t)
        if abs(diff) < 0.05:
            out.append(t("As much as {mode} would have seized with the same couriers.",
                         mode=words))  # fmt: skip
        elif diff > 0:
            out.append(t("{kg} kg more than {mode} would have seized with the same couriers.",
                         kg=f"{diff:.1f}", mode=words))  # fmt: skip
        else:
            out.append(t("{kg} kg less than {mode} would have seized with the same couriers.",
                         kg=f"{-diff:.1f}", mode=words))  # fmt: skip
    return out


@dataclass(frozen=True)
class Calibrated:
    """What the shipped calibration says of the hub, and of the settings a class world sets."""

    low: float
    mid: float
    high: float
    share_positive: float
    quantiles: dict[str, tuple[float, float, float]]  # parameter -> (q05, q50, q95)


@cache
def calibrated() -> Calibrated | None:
    """The shipped calibration's effect and parameter quantiles (None if not shipped)."""
    folder = shipped.folder("experiments") / ANALYSES
    try:
        with open(folder / "effects.csv", newline="") as fh:
            vague = next(r for r in csv.DictReader(fh) if r["prior"].startswith("vague"))
        with open(folder / "inference.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, StopIteration, KeyError):
        return None
    quantiles = {
        r["quantity"]: (float(r["posterior_q05"]), float(r["posterior_q50"]),
                        float(r["posterior_q95"]))
        for r in rows
        if r["posterior_q05"]
    }  # fmt: skip
    return Calibrated(float(vague["q05"]), float(vague["q50"]), float(vague["q95"]),
                      float(vague["share_positive"]), quantiles)  # fmt: skip


def _here(scenario: Scenario, path: str) -> float:
    if path == "couriers":
        orgs = scenario.organisations
        return (
            sum(o.couriers_per_week for o in orgs)
            / len(orgs)
            * (scenario.trafficking.volume_multiplier)
        )
    section, name = path.split(".")
    return float(getattr(getattr(scenario, section), name))


def _calibrated_value(cal: Calibrated, key: str) -> tuple[float, float, float] | None:
    found = [q for name, q in cal.quantiles.items() if name.endswith(key)]
    if not found:
        return None
    return tuple(sum(q[k] for q in found) / len(found) for k in range(3))  # type: ignore[return-value]


def calibrated_view(scenario: Scenario, t: Translate) -> list[str]:
    """The hub in worlds drawn from the COCAIR III posterior, what it depends on, and the
    classroom world's settings beside the calibrated ones."""
    cal = calibrated()
    if cal is None:
        return []
    out = [
        t("In worlds drawn from the COCAIR III calibration, the hub changes the cocaine seized "
          "at participating airports in the operation week by {low} to {high} kg (about {mid} "
          "kg in a typical world), and does better than no relay in {share} % of them.",
          low=f"{cal.low:+.0f}", high=f"{cal.high:+.0f}", mid=f"{cal.mid:+.0f}",
          share=f"{100 * cal.share_positive:.0f}"),
        t("What it depends on most is how often a passenger that an alert describes is then "
          "controlled: no published figure measures that, so the calibration cannot say."),
    ]  # fmt: skip
    for path, label, key in SETTINGS:
        q = _calibrated_value(cal, key)
        if q is None:
            continue
        here = _here(scenario, path)
        if q[0] <= here <= q[2] and abs(here - q[1]) <= 0.25 * abs(q[1]):
            continue  # as calibrated
        out.append(t("This classroom world: {setting} is {here}; calibrated, about {mid} "
                     "(anywhere from {low} to {high}).", setting=t(label), here=f"{here:.3g}",
                     mid=f"{q[1]:.2g}", low=f"{q[0]:.2g}", high=f"{q[2]:.2g}"))  # fmt: skip
    return out


def decision_words(row: dict[str, Any], t: Translate) -> str:
    """A report's decision as the log shows it."""
    choice = {"national": N_("kept national"), "itinerary": N_("sent along the itinerary"),
              "hub": N_("sent to the hub")}.get(row["choice"] or "", N_("not decided"))  # fmt: skip
    text = t(choice)
    if row["by_default"]:
        text += " " + t("(by default: time ran out)")
    return text


def alert_words(row: dict[str, Any], t: Translate) -> str:
    """An alert's decision as the log shows it."""
    if row["target"] is None:
        text = t("not decided")
    else:
        text = t("targeted") if row["target"] else t("let go")
    if row["by_default"]:
        text += " " + t("(by default: time ran out)")
    return text


def when(hour: float | None, t: Translate) -> str:
    """A simulated hour as "day 9, 14:30"."""
    if hour is None:
        return ""
    day, minute = divmod(round(hour * 60), 24 * 60)  # rounded as a whole: 13:59.9 is 14:00
    return t("day {day}, {time}", day=day + 1, time=f"{minute // 60:02d}:{minute % 60:02d}")
