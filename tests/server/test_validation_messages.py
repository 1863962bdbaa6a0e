"""marshmallow's own messages are put in the caller's language, and every message under server/ has its Chinese.

The catalog check reads the messages the way ``pybabel extract`` does (babel's Python extractor,
with Haul's keywords), so the next refusal written without a Chinese translation fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.support import Translations
from flask_babel import force_locale

from server.validation_messages import translated

ROOT = Path(__file__).parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
CATALOG = ROOT / "server" / "web" / "translations"


def used_messages() -> dict[str, str]:
    """Every msgid in a gettext call under server/, with where it is first used."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        with path.open("rb") as source:
            for lineno, message, _comments, _context in extract("python", source, keywords=KEYWORDS):
                msgid = message if isinstance(message, str) else message[0]
                found.setdefault(msgid, f"{path.relative_to(ROOT)}:{lineno}")
    return found


def test_every_message_under_server_has_a_chinese_translation():
    catalog = Translations.load(str(CATALOG), ["zh_Hans_CN"])
    assert isinstance(catalog, Translations), "the compiled zh_Hans_CN catalog is missing"
    untranslated = {msgid: where for msgid, where in used_messages().items()
                    if not (catalog._catalog.get(msgid) or catalog._catalog.get((msgid, 0)))}
    assert not untranslated, f"add zh_CN entries to messages.po and compile it: {untranslated}"


@pytest.mark.parametrize("english,chinese", [
    ("Missing data for required field.", "缺少必填字段。"),
    ("Not a valid integer.", "不是有效的整数。"),
    ("Unknown field.", "未知字段。"),
    ("Not a valid datetime.", "不是有效的日期时间。"),
    ("Must be greater than or equal to 1.", "必须大于或等于 1。"),
    ("Must be greater than or equal to 0 and less than or equal to 100.", "必须大于或等于 0，且小于或等于 100。"),
    ("Length must be between 1 and 64.", "长度必须在 1 到 64 之间。"),
    ("Must be one of: grab, auction.", "必须是以下之一：grab, auction。"),
    ("gross 100 is below tare 200", "毛重 100 低于皮重 200"),  # the evidence engine's, which imports no Flask
    ("must not repeat a carrier", "must not repeat a carrier"),  # Haul's own are translated where they are raised
])
def test_library_messages_are_translated_where_errors_are_flattened(app, english, chinese):
    with app.test_request_context(), force_locale("zh_CN"):
        assert translated(english) == chinese
    with app.test_request_context():
        assert translated(english) == english
