"""What one batch of due fixes and events looks like on its way to the emitter.

The live fan-out (`gps_ingest.socket_publisher`) decides *when* items go out; this module decides
*how*. A batch is a list of ``("position", fix, rooms)`` and ``("event", data, rooms)`` items in the
order they became due. It goes out either as one frame (`one_frame`: each fix and event once, and per
room the indices it gets, which the servers split per client, `server.tracking.live_batches`) or as
per-room emits (`per_room_emits`: per room one ``positions`` list, a single fix a plain ``position``,
then its events alike). A room that follows one buyer's stop of a shared truck gets the fix's bare view
(no ETA, no zones: they may be another buyer's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gps_ingest.model import Position
from gps_ingest.publish import position_to_dict
from gps_ingest.room_directory import RoomDirectory

Item = tuple[str, Any, Sequence[str]]


def fix_view(position: Position, directory: RoomDirectory) -> dict:
    """The fix as clients get it, with the vehicle's load when it has one."""
    data = position_to_dict(position)
    load_id = directory.load_of(position.vehicle_id)
    if load_id is not None:
        data["load_id"] = load_id
    return data


def per_room_emits(items: Sequence[Item], directory: RoomDirectory) -> list[tuple[str, Any, str]]:
    """Per room, one emit for its positions, then one for its events, each in arrival order."""
    positions: dict[str, list[dict]] = {}
    events: dict[str, list[dict]] = {}
    views: dict[int, dict] = {}
    for kind, item, rooms in items:
        if kind == "event":
            for room in rooms:
                events.setdefault(room, []).append(item)
            continue
        data = views.get(id(item))
        if data is None:
            data = views[id(item)] = fix_view(item, directory)
        bare = directory.bare_position_rooms(item.vehicle_id)
        for room in rooms:
            positions.setdefault(room, []).append(bare_view(data) if room in bare else data)
    return _emits("position", positions) + _emits("event", events)


def one_frame(items: Sequence[Item], directory: RoomDirectory) -> dict:
    """The whole batch as one frame: each fix and event once, and per room the indices it gets."""
    positions: list[dict] = []
    events: list[dict] = []
    rooms: dict[str, list[list[int]]] = {}
    for kind, item, item_rooms in items:
        if kind == "event":
            slot, index, bare_index, bare = 1, len(events), None, frozenset()
            events.append(item)
        else:
            slot, index = 0, len(positions)
            positions.append(fix_view(item, directory))
            bare, bare_index = directory.bare_position_rooms(item.vehicle_id), None
            if bare and not bare.isdisjoint(item_rooms):  # the fix once more, without ETA and zones
                bare_index = len(positions)
                positions.append(bare_view(positions[index]))
        for room in item_rooms:
            entry = rooms.get(room)
            if entry is None:
                entry = rooms[room] = [[], []]
            entry[slot].append(bare_index if bare_index is not None and room in bare else index)
    return {"positions": positions, "events": events, "rooms": rooms}


def bare_view(view: dict) -> dict:
    """A fix's view without what may belong to another buyer's stop: its ETA (to the truck's next stop) and
    the zones (sites) it is in."""
    return {key: value for key, value in view.items() if key not in ("eta", "eta_site_id", "zones")}


def _emits(event: str, by_room: dict[str, list[dict]]) -> list[tuple[str, Any, str]]:
    """A room's single item as ``event``, several as one ``events`` list (``position``/``positions``)."""
    return [(event, items[0], room) if len(items) == 1 else (event + "s", items, room)
            for room, items in by_room.items()]
