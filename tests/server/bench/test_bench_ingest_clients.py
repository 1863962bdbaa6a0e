"""The benchmark clients' cheap parsing: fixes and acks are decoded, events are not."""

from __future__ import annotations

from socketio import packet

from server.bench.ingest_clients import MeasuredOnlyJson


def _decode(text: str):
    saved = packet.Packet.json
    packet.Packet.json = MeasuredOnlyJson
    try:
        return packet.Packet(encoded_packet=text).data
    finally:
        packet.Packet.json = saved


def test_fixes_and_acks_are_decoded_and_events_are_dropped_undecoded():
    """A positions batch and a join ack decode as usual; an events list reaches no handler."""
    assert _decode('2["positions",[{"time":"2024-06-10T08:00:00+00:00"}]]') == [
        "positions", [{"time": "2024-06-10T08:00:00+00:00"}]]
    assert _decode('31[{"ok":true,"room":"load:1"}]') == [{"ok": True, "room": "load:1"}]
    assert _decode('2["events",[{"kind":"eta_changed"}]]') == ["events", []]
    assert MeasuredOnlyJson.loads('{"sid":"abc"}') == {"sid": "abc"}
