"""The contract of a pipeline step, written down once (as Traccar's one-method position handler).

Three shapes, each with one job (the pipeline in ``pipeline.py`` lists the steps in order):

* the first step decodes a ``Message`` into fixes (``DecodeStep``);
* a ``FixStep`` takes one fix and returns it, maybe enriched, or ``None`` to drop it, after
  counting the drop under a named reason and logging one line that says which check dropped it;
* a ``BufferStep`` holds fixes and releases them later in a flush (the order step's short
  per-vehicle buffer, the store's batches). A buffer whose ``commits`` is true is the commit
  point: a fix is settled, for the acknowledgement of its message, when it comes out of it.

Settings are read once, in the step's ``__init__``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from gps_ingest.model import Message, Position


class FirstStep(Protocol):
    """Turns one message into its fixes (none when the whole message is dropped, counted and logged)."""

    def __call__(self, message: Message) -> list[Position]: ...


class FixStep(Protocol):
    """One fix in; the fix (maybe enriched) out, or ``None`` when this step dropped it."""

    def __call__(self, position: Position) -> Position | None: ...


@runtime_checkable
class BufferStep(Protocol):
    """Holds fixes; a flush releases those that are due (all of them when ``drain``)."""

    def hold(self, position: Position) -> None: ...

    def release(self, drain: bool = False) -> Iterable[Position]: ...


Step = FixStep | BufferStep
