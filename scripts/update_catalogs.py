"""Extract the exercise's messages and bring every language's catalogue up to date.

    python scripts/update_catalogs.py          # add new messages (untranslated), drop old ones
    python scripts/update_catalogs.py --check  # exit 1 if a catalogue lacks a message

The messages are the texts in `_()`, `N_()` and `t()` calls of the modules in MODULES (Babel's
extractor, as `pybabel extract` would). English gets each message as its own translation; the
other languages keep their translations and get new messages empty, for a translator to fill
(tests/classroom/test_i18n.py fails until they are).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cocair_sim.classroom.i18n import DOMAIN, LANGUAGES, LOCALE  # noqa: E402

MODULES = ("cocair_sim/classroom/exercise_app.py", "cocair_sim/classroom/debrief.py")
KEYWORDS = {"_": None, "N_": None, "t": (1,)}


def messages() -> list[tuple[str, list[tuple[str, int]]]]:
    """Every message of MODULES with where it appears, in order of first appearance."""
    found: dict[str, list[tuple[str, int]]] = {}
    for module in MODULES:
        for lineno, message, _comments, _context in extract_from_file(
            "python", ROOT / module, keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append((module, lineno))
    return list(found.items())


def catalogue_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(language: str, found) -> list[str]:
    """Rewrite a language's catalogue for the messages found; returns those untranslated."""
    path = catalogue_path(language)
    old = {}
    if path.is_file():
        with open(path, "rb") as fh:
            old = {m.id: m.string for m in read_po(fh) if m.id}
    cat = Catalog(locale=language, domain=DOMAIN, project="cocair-sim")
    missing = []
    for message, locations in found:
        text = message if language == "en" else old.get(message, "")
        if not text:
            missing.append(message)
        cat.add(message, text, locations=locations)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, cat, width=100, omit_header=False, sort_output=True)
    return missing


def main(argv: list[str]) -> int:
    found = messages()
    if "--check" in argv:
        lacking = {}
        for language in LANGUAGES:
            path = catalogue_path(language)
            have = {}
            if path.is_file():
                with open(path, "rb") as fh:
                    have = {m.id: m.string for m in read_po(fh) if m.id}
            lacking[language] = [m for m, _ in found if not have.get(m)]
        for language, missing in lacking.items():
            for message in missing:
                print(f"{language}: {message!r}")
        return 1 if any(lacking.values()) else 0
    for language in LANGUAGES:
        missing = update(language, found)
        print(f"{language}: {len(found)} messages, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
