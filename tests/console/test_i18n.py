"""The console's words: both languages have every word the templates ask for."""

from __future__ import annotations

import re
from pathlib import Path

from trustfair.console import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
USED = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)*)["']""")


def test_both_locales_have_the_same_words() -> None:
    assert set(i18n.EN) == set(i18n.ZH)


def test_every_word_a_template_uses_is_in_the_catalogue() -> None:
    used = {key for path in TEMPLATES.glob("*.html") for key in USED.findall(path.read_text())}
    assert used, "no t('…') found: the pattern is out of date"
    assert used - set(i18n.EN) == set()


def test_fields_are_filled_and_unknown_values_shown_as_they_are() -> None:
    zh, en = i18n.translator("zh"), i18n.translator("en")
    assert en("case.title", id=7) == "Case 7"
    assert zh("case.title", id=7) == "案件 7"
    assert zh.value("state", "in_review") == "审核中"
    assert en.value("kind", "brand_complaint") == "brand_complaint"
    assert en.duration(3 * 86400 + 2 * 3600 + 5 * 60) == "3 d 2 h"
    assert zh.duration(45 * 60) == "45 分钟"
    assert i18n.translator("fr").locale == "zh"
    assert i18n.from_accept_language("fr-FR, en;q=0.5") == "en"
