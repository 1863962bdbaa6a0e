"""Which of a multi-drop load's events one buyer's stop may see: one rule for the timeline and the live rooms.

A buyer with a stop sees the load's pickup and transit events and everything at or about its own stops;
it never sees an event about another buyer's stop (its ``stop_id``: a proof of delivery) nor one at
another buyer's site (arrived, departed, a new ETA to it), unless that site is also its own. The same
`StopScope` decides what its timeline shows (`server.stops.views.visible_entries`) and which live events
reach the room of a link bound to its stop (`server.tracking.rooms`), so a reload and the live page agree.
Pure: plain ids in, a yes or no out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def plain_id(value) -> int | None:
    """An id as stored (int) from an event row or a live event (the ingest speaks in strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class StopScope:
    """One buyer's share of a multi-drop load's events: its own stops and sites, and the others'."""

    own_stops: frozenset[int]
    own_sites: frozenset[int]
    other_stops: frozenset[int]
    other_sites: frozenset[int]

    @classmethod
    def of(cls, stops: Iterable[tuple[int, int, int | None]], buyer_org_id: int) -> StopScope:
        """From the load's stops as ``(stop id, site id, buyer org id)``; the pickup (no buyer) is everyone's."""
        own, others = [], []
        for stop in stops:
            (own if stop[2] in (None, buyer_org_id) else others).append(stop)
        return cls(frozenset(s[0] for s in own), frozenset(s[1] for s in own),
                   frozenset(s[0] for s in others), frozenset(s[1] for s in others))

    def shows(self, site_id, data: dict | None) -> bool:
        """Whether an event at ``site_id`` with ``data`` is this buyer's to see."""
        stop_id = plain_id((data or {}).get("stop_id")) if isinstance(data, dict) else None
        if stop_id is not None and stop_id in self.other_stops:
            return False
        site = plain_id(site_id)
        return site is None or site in self.own_sites or site not in self.other_sites
