"""The exercise's pages in the class's languages: English, French, Portuguese and Spanish.

The messages are gettext catalogues (`locale/<language>/LC_MESSAGES/cocair.po`), read with Babel
when a page first needs a language. A message is written in English in the code, inside `_()`
(or `N_()` where it is stored before a page translates it), with `{name}` placeholders for what
varies: the text, and its placeholders, must be found whole in every catalogue
(tests/classroom/test_i18n.py extracts them with Babel and checks). English is the fallback for
anything a catalogue lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "cocair"
LANGUAGES = {"en": "English", "fr": "Français", "pt": "Português", "es": "Español"}
DEFAULT = "en"

Translate = Callable[..., str]


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it here."""
    return message


@cache
def catalogue(language: str) -> dict[str, str]:
    """A language's messages (msgid -> msgstr), read from its .po file once."""
    from babel.messages.pofile import read_po  # noqa: PLC0415 - only when a page needs it

    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        cat = read_po(fh, locale=language, domain=DOMAIN)
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and m.string}


def language_of(requested: str | None) -> str:
    """A supported language for what a page asked (`?lang=fr`), else English."""
    if requested and requested[:2].lower() in LANGUAGES:
        return requested[:2].lower()
    return DEFAULT


@cache
def translator(language: str) -> Translate:
    """`_` for one language: the message translated, its `{placeholders}` filled (one per
    language, so a page's parts see the same function from one redraw to the next)."""
    messages = catalogue(language_of(language))

    def translate(message: str, /, **values: object) -> str:
        text = messages.get(message, message)
        return text.format(**values) if values else text

    return translate
