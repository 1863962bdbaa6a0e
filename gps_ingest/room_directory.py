"""Which Socket.IO rooms follow a vehicle: the `RoomDirectory` the live fan-out asks per fix and event.

In production it is `server.tracking.rooms.DbRoomDirectory` (its load's room, its parties' organisation
rooms for events, the fleet owner's room for positions, and the live tracking-link rooms); `StaticRooms`
is a fixed mapping for tests and demos.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gps_ingest.model import Event


class RoomDirectory(Protocol):
    """Which Socket.IO rooms follow a vehicle; called per fix, so implementations cache."""

    def position_rooms(self, vehicle_id: str) -> Sequence[str]: ...

    def event_rooms(self, vehicle_id: str, event: Event | None = None) -> Sequence[str]:
        """The rooms that get ``event`` (some rooms get only some of a vehicle's events)."""
        ...

    def load_of(self, vehicle_id: str) -> int | None: ...

    def bare_position_rooms(self, vehicle_id: str) -> frozenset[str]:
        """Those of the vehicle's position rooms that get its fixes without ETA and zones (a room that
        follows one buyer's stop of a shared truck: the fix's ETA and zones may be another buyer's)."""
        ...


class StaticRooms:
    """A `RoomDirectory` over fixed mappings, for tests and demos."""

    def __init__(self, rooms: dict[str, Sequence[str]], loads: dict[str, int] | None = None):
        self.rooms = rooms
        self.loads = loads or {}

    def position_rooms(self, vehicle_id: str) -> Sequence[str]:
        return self.rooms.get(vehicle_id, ())

    def event_rooms(self, vehicle_id: str, event: Event | None = None) -> Sequence[str]:
        return self.rooms.get(vehicle_id, ())

    def load_of(self, vehicle_id: str) -> int | None:
        return self.loads.get(vehicle_id)

    def bare_position_rooms(self, vehicle_id: str) -> frozenset[str]:
        return frozenset()
