"""Set a scenario's calibrated values to a posterior's weighted medians, keeping its comments.

    python scripts/set_estimates.py experiments/calibration.yaml experiments/posteriors/cocair3.csv
    python scripts/operation_scenarios.py     # the later operations take COCAIR III's values

Every parameter of the calibration file (and its `also` paths) is set in the calibration's
scenario to the weighted median of its posterior column, written to three significant figures
(whole numbers for integer fields), and its line is marked [CAL]. The file is edited in place
where each value stands (found through the YAML parser's positions), so every comment and the
layout stay as they were. tests/scenario/test_operations.py checks that the scenario's values
are the shipped posterior's.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
LIST_KEYS = ("iata", "name", "id")


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median of a posterior column (interpolated, as the report's quantiles)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(0.5, cum, v))


def shown(value: float, integer: bool) -> str:
    """A value as the scenario writes it: three significant figures, or a whole number."""
    if integer:
        return str(round(value))
    return f"{float(f'{value:.3g}'):g}"


def posterior_medians(posterior: Path) -> dict[str, float]:
    """Each column's weighted median."""
    with open(posterior, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    weights = np.array([float(r["weight"]) for r in rows])
    columns = [c for c in rows[0] if c != "weight"]
    return {c: weighted_median(np.array([float(r[c]) for r in rows]), weights) for c in columns}


def find(node: yaml.Node, path: str) -> yaml.ScalarNode:
    """The scalar node at a dotted path (list items by index or by their iata/name/id)."""
    for segment in path.split("."):
        if isinstance(node, yaml.MappingNode):
            node = next(v for k, v in node.value if k.value == segment)
        elif isinstance(node, yaml.SequenceNode):
            if segment.isdigit():
                node = node.value[int(segment)]
            else:
                node = next(
                    item
                    for item in node.value
                    if any(k.value in LIST_KEYS and v.value == segment for k, v in item.value)
                )
        else:
            raise KeyError(path)
    if not isinstance(node, yaml.ScalarNode):
        raise KeyError(f"{path} is not a single value")
    return node


def set_values(text: str, values: dict[str, str]) -> str:
    """The scenario's text with each path's value replaced where it stands, its line marked
    [CAL]."""
    root = yaml.compose(text)
    lines = text.split("\n")
    # Edit from the end so that earlier positions stay valid.
    nodes = [(find(root, path), value) for path, value in values.items()]
    spots = sorted(
        ((node.start_mark, node.end_mark, value) for node, value in nodes),
        key=lambda spot: (spot[0].line, spot[0].column),
        reverse=True,
    )
    for start, end, value in spots:
        line = lines[start.line]
        lines[start.line] = line[: start.column] + value + line[end.column :]
    for start, _, _ in spots:
        line = lines[start.line]
        if "[CAL]" in line:
            continue
        if "[EST]" in line:
            lines[start.line] = line.replace("[EST]", "[CAL]", 1)
        elif "#" in line and not line.lstrip().startswith("#"):
            lines[start.line] = re.sub(r"#\s*", "# [CAL] ", line, count=1)
        else:
            lines[start.line] = line + "  # [CAL]"
    return "\n".join(lines)


def main(calibration_file: str, posterior_file: str) -> int:
    calibration = yaml.safe_load(Path(calibration_file).read_text(encoding="utf-8"))
    scenario = (Path(calibration_file).parent / calibration["scenario"]).resolve()
    medians = posterior_medians(Path(posterior_file))
    values = {}
    for parameter in calibration["parameters"]:
        value = shown(medians[parameter["path"]], parameter.get("integer", False))
        for path in [parameter["path"], *parameter.get("also", [])]:
            values[path] = value
    scenario.write_text(set_values(scenario.read_text(encoding="utf-8"), values), encoding="utf-8")
    print(f"set {len(values)} values in {scenario.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
