"""Translations: catalogs load for en and zh_CN, cover every core string, and .mo matches .po."""

from __future__ import annotations

import gettext

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from driver_app.core.i18n import DOMAIN, LOCALE_DIR, Msg, normalize_language, translator

KEYWORDS = {"Msg": None, "N_": None, "plural": (1, 2)}


def source_messages() -> set[str]:
    """Singular msgids of every translatable string in driver_app/core, as pybabel extracts them."""
    core = LOCALE_DIR.parent / "core"
    found = extract_from_dir(str(core), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {(message if isinstance(message, str) else message[0]) for _, _, message, _, _ in found}


def catalog(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_catalog_loads(lang):
    """The compiled catalog for the language is found (not the English fall-back)."""
    assert translator(lang).is_catalog_loaded


def test_chinese_strings_are_translated():
    """Simplified Chinese renders status words, parameters and plurals."""
    _ = translator("zh_CN")

    assert Msg("Online").render(_) == "在线"
    assert Msg("Offline").render(_) == "离线"
    assert Msg.plural("{n} position waiting", "{n} positions waiting", 3).render(_) == "3 个定位点待发送"


def test_english_plural_forms():
    """English picks singular and plural forms by count."""
    _ = translator("en")

    assert Msg.plural("{n} position waiting", "{n} positions waiting", 1).render(_) == "1 position waiting"
    assert Msg.plural("{n} position waiting", "{n} positions waiting", 0).render(_) == "0 positions waiting"


def test_every_core_string_has_a_chinese_translation():
    """Each string marked in driver_app/core is in the zh_CN catalog with a non-empty translation."""
    zh = catalog("zh_CN")
    missing = []
    for msgid in sorted(source_messages()):
        message = zh.get(msgid)
        strings = (
            []
            if message is None
            else ([message.string] if isinstance(message.string, str) else list(message.string))
        )
        if not strings or not all(strings):
            missing.append(msgid)
    assert missing == []
    assert len(source_messages()) >= 30


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_compiled_catalog_matches_po(lang):
    """The committed .mo gives, for every .po entry, the .po's translation (run pybabel compile if not)."""
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    for message in catalog(lang):
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert mo.gettext(message.id) == (message.string or message.id)
        else:
            assert mo.ngettext(message.id[0], message.id[1], 1) == (message.string[0] or message.id[0])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh_TW.UTF-8", "zh_CN"),
        ("en_GB", "en"),
        ("de_DE", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_language_names_are_normalised(given, expected):
    """Platform locale names map to a catalog we have, English otherwise."""
    assert normalize_language(given) == expected


def test_broken_translation_falls_back_to_english():
    """A translation with a wrong placeholder renders the English text instead of raising."""

    def broken(msgid: str) -> str:
        return "请前往 {wrong} 号月台"

    assert Msg("Go to dock {dock}", dock="3").render(broken) == "Go to dock 3"
