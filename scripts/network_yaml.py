"""Print the `airports:` and `links:` blocks of a scenario from the sourced domain tables.

Used once to write scenarios/cocair3.yaml and scenarios/network2014.yaml; kept so the blocks can
be regenerated when docs/sources/*.csv change. Each line carries its source as a comment.

    python scripts/network_yaml.py            # 2011-12 baseline (post-2013 links left out)
    python scripts/network_yaml.py --2014     # with the 2013 Ethiopian and Royal Air Maroc links
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "docs" / "sources"


def weekly(text: str) -> float:
    """'7-10' -> 8.5, '21+' -> 21, '3 (from Jul 2013)' -> 3, '(shared ...)' -> 1.5."""
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text.split("(")[0])]
    if not nums:
        return 1.5
    return sum(nums[:2]) / len(nums[:2])


def _rows(name: str) -> list[dict]:
    with open(SOURCES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(include_2013: bool) -> None:
    print("airports:")
    for row in _rows("airports_2012.csv"):
        role = row["role"].split(" ")[0].replace("transit/end", "transit")
        part = row["cocair3_participation"].startswith(("Yes", "Likely"))
        print(
            f'  - {{iata: {row["iata"]}, city: "{row["city"]}", country: "{row["country"]}", '
            f"lat: {row['lat']}, lon: {row['lon']}, role: {role}, "
            f"participant: {str(part).lower()}}}"
            f"  # {row['cocair3_participation']}: {row['basis']}"
        )
    print("links:  # weekly flights each way, c. 2012; basis after '#'")
    for row in _rows("links_2012.csv"):
        late = row["period_note"].startswith("NOT in 2011-12")
        if late and not include_2013:
            continue
        basis = row["frequency_basis"].split(":")[0]
        print(
            f"  - {{from: {row['from']}, to: {row['to']}, "
            f"weekly: {weekly(row['est_weekly_freq_each_way']):g}, "
            f"km: {row['great_circle_km']}}}  # {row['airlines_c2012']}; {basis}"
            + (f"; {row['period_note']}" if row["period_note"] else "")
        )


if __name__ == "__main__":
    main("--2014" in sys.argv)
