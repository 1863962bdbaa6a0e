"""Live fan-out in batches: one Redis message per ingest flush, one Socket.IO message per client.

An ingest worker's `gps_ingest.socket_publisher.SocketPublisher` hands what one flush made due to
`server.tracking.runtime.RedisEmitter.batch` as a *frame*::

    {"positions": [fix, ...], "events": [event, ...],
     "rooms": {room: [[position indices], [event indices]], ...}}

Each fix and event is in it once, however many rooms get it, and the frame is published as ONE
message on the Socket.IO channel (an ``emit`` of `BATCH_EVENT` to `BATCH_ROOM`, a room no client
joins, so a server without this manager drops it instead of showing it to anyone).

`BatchingRedisManager`, every server's client manager, unpacks a frame for its own clients: it
JSON-encodes each item once, and each client in any of the frame's rooms gets one ``position``
(one fix) or ``positions`` (a list) message and one ``event``/``events`` message, each item once
even when the client is in several of those rooms (its fleet room and a load room). At 1,000
fixes a second, a dashboard following 10 loads thus gets one message per flush that carries any
of its vehicles instead of one per fix and room, and a server reads ten Redis messages a second
instead of a thousand: with the clients' own parsing, that per-message work was most of the
fan-out's CPU (the benchmark's 2 cores are shared by everything). Rooms, their authorization and
the per-vehicle throttle are unchanged: they are decided before the frame is made.
"""

from __future__ import annotations

from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

BATCH_EVENT = "haul:live-batch"
BATCH_ROOM = "haul:live-batch"


def frame_is_valid(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("positions"), list)
            and isinstance(data.get("events"), list) and isinstance(data.get("rooms"), dict))


def encode_event(event: str, items: list[str]) -> str:
    """A Socket.IO EVENT packet to the default namespace from already JSON-encoded items.

    One item is sent as ``event`` with that item, several as ``event + "s"`` with their list:
    what `socketio.packet.Packet(EVENT, data=[name, payload]).encode()` would produce.
    """
    if len(items) == 1:
        return f'{sio_packet.EVENT}["{event}",{items[0]}]'
    return f'{sio_packet.EVENT}["{event}s",[{",".join(items)}]]'


class BatchingRedisManager(socketio.RedisManager):
    """A `socketio.RedisManager` that also delivers live frames (see the module docstring)."""

    def _handle_emit(self, message: dict) -> None:
        if message.get("event") == BATCH_EVENT and message.get("room") == BATCH_ROOM:
            data = message.get("data")
            frame = data[0] if isinstance(data, list) and data else data
            if frame_is_valid(frame):
                self.deliver_frame(frame)
            return
        super()._handle_emit(message)

    def deliver_frame(self, frame: dict) -> int:
        """Send a frame to this server's clients; returns the number of Socket.IO messages sent."""
        namespace_rooms = self.rooms.get("/", {})
        wanted: dict[str, tuple[set[int], set[int]]] = {}  # eio sid -> (position, event) indices
        for room, indices in frame["rooms"].items():
            if room not in namespace_rooms or not isinstance(indices, list) or len(indices) != 2:
                continue
            # Only ingest workers publish frames, but one bad index must not stop this server's fan-out.
            positions = _valid(indices[0], len(frame["positions"]))
            events = _valid(indices[1], len(frame["events"]))
            for _sid, eio_sid in self.get_participants("/", room):
                entry = wanted.get(eio_sid)
                if entry is None:
                    entry = wanted[eio_sid] = (set(), set())
                entry[0].update(positions)
                entry[1].update(events)
        if not wanted:
            return 0
        encoded = {"position": _encoder(frame["positions"], self.json.dumps),
                   "event": _encoder(frame["events"], self.json.dumps)}
        packets: dict[tuple, eio_packet.Packet] = {}  # clients that get the same items share a packet
        sent = 0
        for eio_sid, (positions, events) in wanted.items():
            for name, indices in (("position", positions), ("event", events)):
                if not indices:
                    continue
                key = (name, *sorted(indices))
                pkt = packets.get(key)
                if pkt is None:
                    text = encode_event(name, [encoded[name](i) for i in key[1:]])
                    pkt = packets[key] = eio_packet.Packet(eio_packet.MESSAGE, text)
                self.server._send_eio_packet(eio_sid, pkt)
                sent += 1
        return sent


def _valid(indices: Any, size: int) -> list[int]:
    """The indices that name an item of a list of ``size`` items."""
    if not isinstance(indices, list):
        return []
    return [i for i in indices if type(i) is int and 0 <= i < size]


def _encoder(items: list, dumps):
    """Index -> compact JSON of ``items[index]``, encoded on first use and kept."""
    cache: dict[int, str] = {}

    def get(index: int) -> str:
        text = cache.get(index)
        if text is None:
            text = cache[index] = dumps(items[index], separators=(",", ":"))
        return text

    return get


def client_manager(redis_url: str | None, channel: str) -> BatchingRedisManager | None:
    """The server's client manager: batching on Redis, or None (Socket.IO's in-process default)."""
    if not redis_url:
        return None
    return BatchingRedisManager(redis_url, channel=channel)
