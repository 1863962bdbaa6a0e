"""Page languages: English and Simplified Chinese, chosen by ?lang=, the user, or the browser.

Besides the templates' own ``_()`` calls, this module gives the few words the browser scripts
show (``JS_STRINGS``, put on every page as JSON) and the titles of the error pages, so a
Chinese page never shows an English message of its own making.
"""

from __future__ import annotations

from flask import request, session
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
babel = Babel()

JS_STRINGS = {
    "saving": _l("Sending…"),
    "saved": _l("Done."),
    "failed": _l("That did not work:"),
    "offline": _l("Live updates paused: reconnecting…"),
    "online": _l("Live updates on."),
    "fix_fields": _l("Please correct the marked fields."),
    "required": _l("This field is required."),
    "pick_one": _l("Choose at least one."),
    "vehicle": _l("Vehicle"),
    "progress": _l("Progress"),
    "copied": _l("Copied."),
    "confirm_revoke": _l("Revoke it now? This cannot be undone."),
    "token_once": _l("Copy this token now; it is shown only once:"),
    "link_ready": _l("Share this link:"),
    "pair_for": _l("Pair the phone of {name}"),
    "pair_qr_alt": _l("Pairing QR code for {name}"),
    "pair_type": _l("Scan it with the Haul driver app (Pair this phone), or type this code:"),
    "pair_until": _l("Works once, until {time}."),
    "pair_link": _l("Pairing link:"),
}

ERROR_TITLES = {400: _l("Bad request"), 403: _l("Forbidden"), 404: _l("Not found"), 410: _l("Link expired"),
                500: _l("Something went wrong")}


def error_title(status: int) -> str:
    return str(ERROR_TITLES.get(status, _l("Error")))


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    best = request.accept_languages.best_match(["en", "zh-CN", "zh_CN", "zh"], default="en")
    return "zh_CN" if best.startswith("zh") else "en"


def current_language() -> str:
    """The page's language as a key of LANGUAGES (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def _page_language() -> dict:
    code = current_language()
    from server.web.reasons import reason_strings

    strings = {**JS_STRINGS, **reason_strings()}
    return {"js_strings": {key: str(value) for key, value in strings.items()}, "lang_code": code,
            "html_lang": code.replace("_", "-")}


def init_i18n(app) -> None:
    from pathlib import Path

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(_page_language)
