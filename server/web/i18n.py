"""Page languages: English and Simplified Chinese, chosen by ?lang=, the user, or the browser.

Besides the templates' own ``_()`` calls, this module gives the few words the browser scripts
show (``JS_STRINGS``, put on every page as JSON) and the titles of the error pages, so a
Chinese page never shows an English message of its own making.
"""

from __future__ import annotations

from flask import has_request_context, request, session
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
    """A page: ?lang=, the language chosen in this browser, the signed-in user's, else the browser's.

    ``?lang=`` wins for any request. Otherwise an API call with a bearer token answers in the token's
    user's language (a token has no cookie, so flask_login's ``current_user`` knows nobody); a
    user-less token or a refused one falls back to Accept-Language. Outside a request (CLI, jobs) it is English; those code paths that write to a
    known person use ``force_locale`` with that person's language.
    """
    if not has_request_context():
        return "en"
    wanted = request.args.get("lang")  # asked for in this very request: it wins over any stored choice
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if wanted in LANGUAGES:
        if not bearer:  # a browser keeps its choice; an API call sets no cookie
            session["lang"] = wanted
        return wanted
    if bearer:
        language = _bearer_user_language()
        if language in LANGUAGES:
            return language
    else:
        if session.get("lang") in LANGUAGES:
            return session["lang"]
        if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
            return current_user.language
    best = request.accept_languages.best_match(["en", "zh-CN", "zh_CN", "zh"], default="en")
    return "zh_CN" if best.startswith("zh") else "en"


_RESOLVING = "haul.locale_resolving"


def _bearer_user_language() -> str | None:
    """The bearer token's user's language, resolving the caller if nothing has yet (it is cached per request).

    Resolving can itself refuse the token with a translated message, which asks for the locale again:
    that inner call must not resolve once more, and gets None (Accept-Language). Nothing here may turn an
    answer into a crash, so a database error leaves the language to Accept-Language too.
    """
    if request.environ.get(_RESOLVING):
        return None
    from server.auth.principal import resolve_principal

    request.environ[_RESOLVING] = True
    try:
        principal = resolve_principal()
    except Exception:  # a refused token (its 401 is answered elsewhere) or a broken session
        return None
    finally:
        request.environ.pop(_RESOLVING, None)
    return principal.language if principal is not None else None


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
