"""A background job's state and progress in the reader's language, from codes (the engines stay English).

A job's ``status`` is a code, and its ``job.progress`` frames carry the engine's ``code`` and ``values``
besides its English ``message``. The API answers ``status_text`` in the caller's language; a page gets
``page_words()`` (every text in the reader's language, placeholders as ``{name}``) to word the frames of its
organisation's room, which one emit cannot do for readers of several languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

STATUS = {"queued": _l("queued"), "running": _l("running"), "cancelling": _l("stopping"),
          "succeeded": _l("finished"), "failed": _l("failed"), "cancelled": _l("cancelled")}
PROGRESS = {"searching": _l("found a better plan, still searching"), "done": _l("finishing"),
            "orders_done": _l("%(done)s of %(total)s orders")}


def status_text(status: str | None) -> str:
    return str(STATUS.get(status or "", status or ""))


def progress_text(code: str | None, values: Mapping | None = None) -> str:
    """A progress report's words; an unknown code says nothing (the bar still moves)."""
    template = PROGRESS.get(code or "")
    if template is None:
        return ""
    return str(template) % {name: (values or {}).get(name, "–") for name in ("done", "total")}


def page_words() -> dict:
    """The texts a page needs to word job frames itself, in the current locale."""
    return {"status": {code: str(text) for code, text in STATUS.items()},
            "progress": {code: str(text).replace("%(done)s", "{done}").replace("%(total)s", "{total}")
                         for code, text in PROGRESS.items()}}
