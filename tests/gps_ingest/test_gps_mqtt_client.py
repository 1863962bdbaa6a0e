"""The worker's paho client dispatches messages like paho does, minus the per-message topic match."""

from __future__ import annotations

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from gps_ingest.mqtt_client import DirectDispatchClient


def _message(topic: str) -> mqtt.MQTTMessage:
    message = mqtt.MQTTMessage(mid=7, topic=topic.encode())
    message.payload = b"{}"
    return message


def test_messages_go_straight_to_on_message():
    """Without filtered callbacks, on_message gets each message, and paho's topic matcher is not consulted."""
    client = DirectDispatchClient(CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5)
    seen = []
    client.on_message = lambda _c, _u, msg: seen.append((msg.mid, msg.topic))

    class _NoMatch:
        def iter_match(self, _topic):
            raise AssertionError("topic matched per message")

    client._on_message_filtered = _NoMatch()
    client._handle_on_message(_message("haul/v1/vehicles/1/position"))
    assert seen == [(7, "haul/v1/vehicles/1/position")]


def test_filtered_callbacks_still_work_once_added():
    """After message_callback_add, paho's own dispatch (filtered callback first) applies again."""
    client = DirectDispatchClient(CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5)
    general, filtered = [], []
    client.on_message = lambda _c, _u, msg: general.append(msg.topic)
    client.message_callback_add("owntracks/#", lambda _c, _u, msg: filtered.append(msg.topic))
    client._handle_on_message(_message("owntracks/jan/phone"))
    client._handle_on_message(_message("haul/v1/vehicles/1/position"))
    assert filtered == ["owntracks/jan/phone"] and general == ["haul/v1/vehicles/1/position"]


def test_on_message_errors_are_raised_unless_suppressed():
    """An exception in on_message propagates as in paho, or is swallowed with suppress_exceptions."""
    client = DirectDispatchClient(CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5)

    def broken(*_args):
        raise RuntimeError("boom")

    client.on_message = broken
    with pytest.raises(RuntimeError):
        client._handle_on_message(_message("a/b"))
    client.suppress_exceptions = True
    client._handle_on_message(_message("a/b"))

