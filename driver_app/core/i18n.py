r"""Translations for the driver app (gettext, domain ``haul_driver``).

Every user-facing string the core produces is a :class:`Msg`: an English message id plus
format parameters, rendered only when shown, so the driver can switch language at any time
and errors raised on a background thread carry no language of their own.

Catalogs live in ``driver_app/locale/<lang>/LC_MESSAGES/haul_driver.po`` with the compiled
``.mo`` beside them (both committed). Runtime loading uses only the standard library
``gettext``; Babel is the developer tool (see ``driver_app/locale/babel.cfg``)::

    pybabel extract -F driver_app/locale/babel.cfg -k Msg -k N_ -k plural:1,2 --no-default-keywords \
        --no-location --project haul_driver --sort-output -o driver_app/locale/haul_driver.pot driver_app/core
    pybabel update -i driver_app/locale/haul_driver.pot -d driver_app/locale -D haul_driver -w 110
    pybabel compile -d driver_app/locale -D haul_driver
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOMAIN = "haul_driver"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "zh_CN")
DEFAULT_LANGUAGE = "en"


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it now."""
    return msgid


class Translator:
    """A gettext function for one language: call it with a msgid, or use :meth:`ngettext`."""

    def __init__(self, lang: str, translations: gettext.NullTranslations):
        self.lang = lang
        self._translations = translations

    def __call__(self, msgid: str) -> str:
        return self._translations.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    @property
    def is_catalog_loaded(self) -> bool:
        """True when a compiled catalog was found (False means English fall-back)."""
        return type(self._translations) is not gettext.NullTranslations


def normalize_language(lang: str | None) -> str:
    """Map a platform locale name (``zh-CN``, ``zh_Hans_CN.UTF-8``, ``en_GB``) to a catalog.

    All Chinese variants map to ``zh_CN``: it is the only Chinese catalog, and readers of
    Traditional script read Simplified far better than English. Unknown languages map to
    English.
    """
    if not lang:
        return DEFAULT_LANGUAGE
    base = lang.split(".")[0].split("@")[0].replace("-", "_").lower()
    if base.startswith("zh"):
        return "zh_CN"
    return DEFAULT_LANGUAGE


def translator(lang: str | None = None) -> Translator:
    """Return the gettext function for ``lang`` (English when the catalog is missing)."""
    code = normalize_language(lang)
    translations = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True)
    return Translator(code, translations)


def english(msgid: str) -> str:
    """Identity gettext: renders messages in the source language."""
    return msgid


@dataclass(frozen=True, init=False)
class Msg:
    """A translatable message: ``Msg("Go to dock {dock}", dock="3")``.

    For counts use :meth:`plural`, which picks the right plural form for the language.
    ``str(msg)`` renders in English (for logs and exception text).
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural_id: str | None = None
    n: int | None = None

    def __init__(self, msgid: str, _plural_id: str | None = None, _n: int | None = None, **params: Any):
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", dict(params))
        object.__setattr__(self, "plural_id", _plural_id)
        object.__setattr__(self, "n", _n)

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, **params: Any) -> Msg:
        """A message with singular and plural forms chosen by ``n`` (also passed as ``{n}``)."""
        return cls(singular, plural, n, n=n, **params)

    def render(self, _: Callable[[str], str] | None = None) -> str:
        """Translate with gettext function ``_`` (English when None) and fill in the parameters."""
        _ = _ or english
        if self.plural_id is not None and self.n is not None:
            ngettext = getattr(_, "ngettext", None)
            if ngettext is not None:
                text = ngettext(self.msgid, self.plural_id, self.n)
            else:
                text = self.msgid if self.n == 1 else self.plural_id
        else:
            text = _(self.msgid)
        try:
            return text.format(**self.params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must never crash a screen: fall back to the English text.
            source = self.plural_id if self.plural_id is not None and self.n != 1 else self.msgid
            return source.format(**self.params)

    def __str__(self) -> str:
        return self.render()
