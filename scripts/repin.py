"""Print the pinned runs' digests and readable values as the model computes them now.

    python scripts/repin.py            # compare with tests/test_pinned.py
    python scripts/repin.py --write    # rewrite the digests in tests/test_pinned.py

Re-pinning is deliberate: run it only after a change meant to alter results, and commit the new
digests on their own, saying what changed and why (CONTRIBUTING.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cocair_sim.model import CocairModel  # noqa: E402
from cocair_sim.model.outputs import daily_rows, summarise  # noqa: E402
from cocair_sim.scenario import load_scenario  # noqa: E402
from tests import test_pinned  # noqa: E402

PINNED_FILE = ROOT / "tests" / "test_pinned.py"


def measured(scenario: str, seed: int, mode: str, overrides: dict) -> tuple:
    """(summary, daily, events digests, kg seized, seizures, couriers sent, events)."""
    spec = load_scenario(test_pinned.SCENARIOS / scenario, overrides)
    model = CocairModel(spec, seed=seed, relay_mode=mode).run()
    summary = summarise(model)
    return (
        test_pinned._digest(summary),
        test_pinned._digest(list(daily_rows(model))),
        test_pinned._digest(model.events),
        summary["kg_seized"],
        summary["seizures"],
        summary["couriers_sent"],
        len(model.events),
    )


def main() -> int:
    text = PINNED_FILE.read_text(encoding="utf-8")
    entries = [(p[:3], {}, p[3:]) for p in test_pinned.PINNED] + [
        (p[:3], p[3], p[4:]) for p in test_pinned.PINNED_VARIANTS
    ]
    changed = 0
    for (scenario, seed, mode), overrides, old in entries:
        new = measured(scenario, seed, mode, overrides)
        if tuple(new) == tuple(old):
            continue
        changed += 1
        print(f"{scenario} seed {seed} {mode} {overrides or ''}: {old[3:]} -> {new[3:]}")
        old_block = "\n".join(
            [*(f'        "{d}",' for d in old[:3]), f"        {', '.join(map(repr, old[3:]))},"]
        )
        new_block = "\n".join(
            [*(f'        "{d}",' for d in new[:3]), f"        {', '.join(map(repr, new[3:]))},"]
        )
        if old_block not in text:
            raise SystemExit(f"cannot find the pinned entry of {scenario} seed {seed} {mode}")
        text = text.replace(old_block, new_block, 1)
    if "--write" in sys.argv and changed:
        PINNED_FILE.write_text(text, encoding="utf-8")
        print(f"rewrote {changed} entries in {PINNED_FILE.relative_to(ROOT)}")
    elif not changed:
        print("every pinned run is unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main() if re.match(r"^(--write)?$", " ".join(sys.argv[1:])) else __doc__)
