"""The exercise in four languages: every message of the pages and the debrief exists in the
English, French, Portuguese and Spanish catalogues, with the same placeholders."""

from __future__ import annotations

import re
import sys

import pytest

from cocair_sim.classroom.i18n import LANGUAGES, catalogue, language_of, translator
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from update_catalogs import messages

FOUND = [m for m, _ in messages()]


def test_the_pages_have_messages_to_translate():
    assert len(FOUND) > 100 and "Choose your country" in FOUND


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_message_is_in_every_catalogue_with_its_placeholders(language):
    translated = catalogue(language)
    missing = [m for m in FOUND if not translated.get(m)]
    assert not missing, f"{language} lacks {missing[:5]}"
    for message in FOUND:
        fields = set(re.findall(r"\{(\w+)\}", message))
        assert set(re.findall(r"\{(\w+)\}", translated[message])) == fields, (language, message)


def test_a_page_speaks_the_language_it_asks_for():
    assert translator("fr")("Choose your country") == "Choisissez votre pays"
    assert translator("es")("Team {n}: {country}", n=2, country="Mali") == "Equipo 2: Mali"
    assert language_of("pt-BR") == "pt" and language_of("de") == "en" and language_of(None) == "en"
    assert translator("xx")("Debrief") == "Debrief"


def test_a_simulated_hour_reads_as_day_and_time_rounded_to_the_minute():
    from cocair_sim.classroom.debrief import when

    t = translator("en")
    assert when(None, t) == ""
    assert when(0.0, t) == "day 1, 00:00"
    assert when(8 * 24 + 14.5, t) == "day 9, 14:30"
    assert when(13.9999, t) == "day 1, 14:00"  # not 13:00: minutes carry into the hour
    assert when(23.9999, t) == "day 2, 00:00"  # and hours into the day
