"""Runtime language switching for .kv rules: ``text: tr._("Sign in")``.

``tr`` is an :class:`~kivy.event.Observable` whose ``_`` and ``render`` are plain methods.
The kv compiler binds every rule that reads ``tr._`` or ``tr.render`` by calling
``tr.fbind("_", ...)``; we keep those callbacks and call them all on ``switch``, so every
visible text is re-translated in place without rebuilding a screen (the pattern of Kivy's own
i18n example). Translations come from the core's gettext catalogs (``driver_app.core.i18n``).
"""

from __future__ import annotations

import itertools
from typing import Any

from kivy.event import Observable

from driver_app.core.i18n import Msg, Translator, translator

_BOUND_NAMES = ("_", "render")


class Lang(Observable):
    """The current language; ``_(msgid)`` translates, ``render(msg)`` renders a ``Msg`` or str."""

    def __init__(self, lang: str = "en"):
        super().__init__()
        self._observers: dict[int, tuple[Any, tuple]] = {}
        self._uids = itertools.count(1)
        self.translator: Translator = translator(lang)

    @property
    def lang(self) -> str:
        return self.translator.lang

    def _(self, msgid: str) -> str:
        return self.translator(msgid)

    def render(self, message: Msg | str | None) -> str:
        """Render a core ``Msg`` in the current language; a plain str is shown as is."""
        if message is None:
            return ""
        if isinstance(message, Msg):
            return message.render(self.translator)
        return str(message)

    def switch(self, lang: str) -> None:
        """Load ``lang``'s catalog and re-evaluate every bound kv rule."""
        self.translator = translator(lang)
        for func, largs in list(self._observers.values()):
            func(*largs, None, None)

    # -- the binding protocol the kv compiler uses ---------------------------------------

    def fbind(self, name, func, *largs, **kwargs):
        if name in _BOUND_NAMES:
            uid = next(self._uids)
            self._observers[uid] = (func, largs)
            return uid
        return super().fbind(name, func, *largs, **kwargs)

    def funbind(self, name, func, *largs, **kwargs):
        if name in _BOUND_NAMES:
            for uid, (f, a) in list(self._observers.items()):
                if f == func and a == largs:
                    del self._observers[uid]
            return None
        return super().funbind(name, func, *largs, **kwargs)

    def unbind_uid(self, name, uid):
        if name in _BOUND_NAMES:
            self._observers.pop(uid, None)
            return None
        return super().unbind_uid(name, uid)


tr = Lang()
