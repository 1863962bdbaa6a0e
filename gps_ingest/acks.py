"""Ack policies: which submitted messages may be acknowledged, and in what order.

The pipeline tells its `AckPolicy` how many fixes each message produced (`track`) and when each
fix is settled (`settle`): dropped by a check, or committed by the store. A message whose
fixes are all settled is *committed*; `ready` hands out the ids of newly committed messages.

* `InOrderAcks` (MQTT) hands out ids in submission order only: a committed message waits
  until every earlier message is committed, because MQTT requires a client to send PUBACKs in
  the order it received the PUBLISHes (MQTT 3.1.1 section 4.6, MQTT 5 section 4.6).
* `AnyOrderAcks` (HTTP) hands out ids as soon as each message is committed.

Ids must be unique among messages not yet handed out; `gps_ingest.pipeline.Pipeline` renames
a repeated in-flight id before it gets here.
"""

from __future__ import annotations

from typing import Protocol


class AckPolicy(Protocol):
    """Counts unsettled fixes per message and decides when its id may be acknowledged."""

    def track(self, message_id: str, fixes: int) -> None:
        """A message was decoded into ``fixes`` fixes (0: it is committed at once)."""
        ...

    def settle(self, message_id: str) -> None:
        """One fix of the message was dropped or committed."""
        ...

    def ready(self) -> list[str]:
        """Ids of messages that may now be acknowledged, each handed out once."""
        ...

    def pending(self) -> int:
        """Messages tracked but not yet handed out."""
        ...

    def __contains__(self, message_id: object) -> bool: ...


class InOrderAcks:
    """Hands out committed ids in submission order."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}  # id -> unsettled fixes; dicts keep insertion order

    def track(self, message_id: str, fixes: int) -> None:
        if message_id in self._open:
            raise ValueError(f"message id {message_id!r} is already in flight")
        self._open[message_id] = fixes

    def settle(self, message_id: str) -> None:
        left = self._open.get(message_id)
        if left is None or left <= 0:
            raise ValueError(f"message id {message_id!r} has no unsettled fix")
        self._open[message_id] = left - 1

    def ready(self) -> list[str]:
        out = []
        for message_id, left in self._open.items():
            if left:
                break
            out.append(message_id)
        for message_id in out:
            del self._open[message_id]
        return out

    def pending(self) -> int:
        return len(self._open)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._open


class AnyOrderAcks(InOrderAcks):
    """Hands out each id as soon as its message is committed."""

    def ready(self) -> list[str]:
        out = [message_id for message_id, left in self._open.items() if not left]
        for message_id in out:
            del self._open[message_id]
        return out
