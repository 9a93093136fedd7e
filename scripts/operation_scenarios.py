# ruff: noqa: E501 - the scenario lines it writes are as long as the scenario's own
"""Write scenarios/cocair4.yaml, cocair5.yaml and network2014.yaml from scenarios/cocair3.yaml.

The later operations are COCAIR III's world placed in their own year and network: every
estimated value (the [EST] and [CAL] lines, with their comments) is COCAIR III's, so that the
later operations test the COCAIR III calibration out of sample; what differs is what the sources
say of each operation (docs/sources/FACTS.md): its dates and length, the routes flown that year,
the participants, where its coordination unit sat, and what it published.

    python scripts/operation_scenarios.py       # after changing cocair3.yaml or the facts below

tests/scenario/test_operations.py fails when the files differ from what this writes, and when
two operation scenarios differ only in their published figures.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

# The routes opened in 2013 (docs/sources/links_2012.csv, flagged "NOT in 2011-12 baseline").
ETHIOPIAN_2013 = [  # Ethiopian Airlines to Brazil via Lome, from July 2013
    "  - {from: GRU, to: LFW, weekly: 3, km: 6137}  # Ethiopian (ET), continuing to ADD; SOURCED; from Jul 2013",
    "  - {from: GIG, to: LFW, weekly: 1.5, km: 5812}  # Ethiopian (ET); SOURCED; from Jul 2013",
]
ROYAL_AIR_MAROC_2013 = [  # Casablanca - Sao Paulo, from November 2013
    "  - {from: GRU, to: CMN, weekly: 3.5, km: 7540}  # Royal Air Maroc (AT); SOURCED; from Nov 2013 (EFE 2014: 17 operations, 260 kg within six months)",
]
LATER_PARTICIPANTS = ("CMN", "ADD", "LAD", "JNB", "MPM")  # [EST] later AIRCOP members


@dataclass(frozen=True)
class Operation:
    file: str
    header: str
    name: str
    description: str
    days: int
    operation_days: int
    operation_date: str
    hub_airport: str
    hub_comment: str
    links: list[str]
    published: str
    participants: tuple[str, ...] = LATER_PARTICIPANTS


COMMON_HEADER = """#
# Written by scripts/operation_scenarios.py from scenarios/cocair3.yaml: every estimated value
# ([EST], and [CAL]: the weighted posterior medians of the COCAIR III calibration, see
# cocair3.yaml's header) is COCAIR III's, so nothing here was fitted to this operation. What
# differs is what the sources say of it (docs/sources/FACTS.md): its dates and length, the routes
# flown that year, the participants, where its coordination unit sat, and what it published.
# The comments below the header are cocair3.yaml's.
"""
PREDICTED = """# `cocair validate scenarios/{file} --posterior experiments/posteriors/cocair3.csv` predicts
# what it published (docs/findings.md, section 4).
"""

OPERATIONS = [
    Operation(
        file="cocair4.yaml",
        header="""# Operation COCAIR IV (26 Oct - 3 Nov 2013): an out-of-sample test of the COCAIR III calibration.
#
# - Operation: about 27-30 countries and 30-40 airports; the OCU sat at WCO headquarters in
#   Brussels; a train-the-trainer course for about 50 officials. Results: 98 seizures, 91
#   arrests, 181 kg cocaine, 1,500-1,700 kg cannabis, EUR 1.43 M cash (WCO, Dec 2013).
# - Network: 2011's, with Ethiopian's routes to Brazil via Lome (from July 2013); Royal Air
#   Maroc's Casablanca - Sao Paulo route opened in November 2013, after the operation, and is
#   left out.
# - Participants: those of COCAIR III, plus [EST] Morocco, Angola, Ethiopia, South Africa and
#   Mozambique (later AIRCOP members) for the wider operation; no airport list was published.
""",
        name="COCAIR IV (2013)",
        description="Air cocaine routes from South America through West/Central Africa to "
        "Europe, c. 2013, with a 9-day joint operation at the participating airports and relay "
        "through the OCU at WCO headquarters in Brussels.",
        days=37,
        operation_days=9,
        operation_date="2013-10-26",
        hub_airport="BRU",
        hub_comment="OCU at WCO headquarters, Brussels (WCO, Dec 2013)",
        links=ETHIOPIAN_2013,
        published="""published:
  - name: cocair4_cases
    statistic: cases
    all_drugs: true
    value: 98
    uncertainty: {sd: 0.3}
    source: WCO, Dec 2013
  - name: cocair4_kg
    statistic: kg
    value: 181
    uncertainty: {sd: 0.4}
    source: WCO, Dec 2013
  - name: cocair4_arrests
    statistic: arrests
    all_drugs: true
    value: 91
    uncertainty: {sd: 0.3}
    source: WCO, Dec 2013
""",
    ),
    Operation(
        file="cocair5.yaml",
        header="""# Operation COCAIR V (5-13 Dec 2015): an out-of-sample test of the COCAIR III calibration.
#
# - Operation: about 30 countries; messages over WCO CENcomm and INTERPOL I-24/7. Results: about
#   8,000 messages, 78 seizures, 411 kg cocaine, more than 70 arrests, 12 hits in INTERPOL's
#   databases (WCO, Jan 2016).
# - Network: 2011's, with the routes opened in 2013 (Ethiopian via Lome, Royal Air Maroc
#   Casablanca - Sao Paulo) [EST] for 2015.
# - Participants: those of COCAIR III, plus [EST] Morocco, Angola, Ethiopia, South Africa and
#   Mozambique (about 30 countries; no airport list was published).
# - Coordination: [EST] a unit at WCO headquarters as in COCAIR IV (not stated for COCAIR V).
""",
        name="COCAIR V (2015)",
        description="Air cocaine routes from South America through West/Central Africa to "
        "Europe, c. 2015, with a 9-day joint operation at the participating airports, messages "
        "over CENcomm and I-24/7.",
        days=37,
        operation_days=9,
        operation_date="2015-12-05",
        hub_airport="BRU",
        hub_comment="[EST] WCO headquarters, Brussels, as in COCAIR IV (not stated)",
        links=ETHIOPIAN_2013 + ROYAL_AIR_MAROC_2013,
        published="""published:
  - name: cocair5_cases
    statistic: cases
    all_drugs: true
    value: 78
    uncertainty: {sd: 0.3}
    source: WCO, Jan 2016
  - name: cocair5_kg
    statistic: kg
    value: 411
    uncertainty: {sd: 0.4}
    source: WCO, Jan 2016
  - name: cocair5_arrests
    statistic: arrests
    all_drugs: true
    value: 70                      # "more than 70"
    uncertainty: {sd: 0.3}
    source: WCO, Jan 2016
  - name: cocair5_police_hits      # seizures on an alert from the police channel
    statistic: police_hits
    value: 12
    uncertainty: {sd: 0.5}         # [EST] a database hit is not exactly a seizure on a police alert
    source: WCO, Jan 2016 (12 INTERPOL database hits)
  - name: cocair5_messages_per_case
    statistic: messages_per_case
    value: 103                     # about 8,000 messages for 78 seizures
    uncertainty: {sd: 0.3}
    source: WCO, Jan 2016
""",
    ),
    Operation(
        file="network2014.yaml",
        header="""# The COCAIR III setting on the 2014 air network: adds the routes opened in 2013 (Ethiopian
# Addis-Lome-Sao Paulo/Rio, Jul 2013; Royal Air Maroc Casablanca-Sao Paulo, Nov 2013). On the
# latter, 17 operations seized 260 kg and detained 74 people within six months (EFE 2014). A
# counterfactual (COCAIR III's operation on a later network), so it publishes nothing.
""",
        name="COCAIR III setting on the 2014 network",
        description="Air cocaine routes from South America through West/Central Africa to "
        "Europe, with the routes opened in 2013, and COCAIR III's 7-day joint operation and "
        "relay through the OCU in Dakar.",
        days=35,
        operation_days=7,
        operation_date="2011-11-28",
        hub_airport="DKR",
        hub_comment="OCU seat (as in COCAIR III)",
        links=ETHIOPIAN_2013 + ROYAL_AIR_MAROC_2013,
        published="published: []\n",
        participants=(),
    ),
]


def _replace(text: str, pattern: str, new: str) -> str:
    """Replace the single match of `pattern` (multiline regex) or fail loudly."""
    result, n = re.subn(pattern, new, text, count=1, flags=re.MULTILINE | re.DOTALL)
    if n != 1:
        raise SystemExit(f"scripts/operation_scenarios.py: '{pattern}' not found in cocair3.yaml")
    return result


def scenario_text(base: str, op: Operation) -> str:
    """The operation's scenario file, from cocair3.yaml's text."""
    name_at = base.index("\nname: ")
    sources = base[: name_at + 1]
    sources = sources[sources.index("# Sources") :]  # cocair3's source notes, after its title
    predicted = "" if op.published.startswith("published: []") else PREDICTED.format(file=op.file)
    text = op.header + COMMON_HEADER + predicted + "#\n" + sources + base[name_at + 1 :]
    text = _replace(text, r"^name: .*?$", f"name: {op.name}")
    text = _replace(
        text, r"^description: >\n(  .*?\n)+", "description: >\n" + _wrap(op.description)
    )
    text = _replace(
        text,
        r"^  days: \d+ .*?$",
        f"  days: {op.days}              # 14 days before, the {op.operation_days}-day operation, 14 days after",
    )
    text = _replace(text, r"^  operation_days: \d+$", f"  operation_days: {op.operation_days}")
    text = _replace(
        text, r"^  operation_date: .*?$", f"  operation_date: {op.operation_date}   # FACTS.md"
    )
    text = _replace(
        text,
        r"^  hub_airport: \w+ .*?$",
        f"  hub_airport: {op.hub_airport}                # {op.hub_comment}",
    )
    for code in op.participants:
        text = _replace(
            text,
            rf"^(  - \{{iata: {code},.*?participant: )false(\}}.*?)$",
            r"\1true\2  [EST] a participant of this operation",
        )
    anchor = "  - {from: GRU, to: JNB,"
    at = text.index(anchor)
    line_end = text.index("\n", at) + 1
    text = text[:line_end] + "".join(f"{line}\n" for line in op.links) + text[line_end:]
    text = _replace(text, r"^published:\n.*?\n(?=\n# Airports)", op.published)
    return text


def _wrap(text: str, width: int = 96) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "".join(f"  {x}\n" for x in lines)


def main() -> int:
    base = (SCENARIOS / "cocair3.yaml").read_text(encoding="utf-8")
    check = "--check" in sys.argv
    stale = []
    for op in OPERATIONS:
        path = SCENARIOS / op.file
        text = scenario_text(base, op)
        if check:
            if path.read_text(encoding="utf-8") != text:
                stale.append(op.file)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/operation_scenarios.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
