"""Parsing the pairing answer's MQTT settings."""

from __future__ import annotations

import pytest

from driver_app.core.api_models import MqttSettings
from driver_app.core.errors import BadResponse

BASE = {"username": "dev-1", "password": "p", "vehicle_id": 12, "driver_id": "d-7"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1", ("127.0.0.1", 1883, False, "tcp", "/mqtt")),
        ("mqtts://broker.example:8884", ("broker.example", 8884, True, "tcp", "/mqtt")),
        ("wss://haul.example/mqtt-ws", ("haul.example", 443, True, "websockets", "/mqtt-ws")),
    ],
)
def test_mqtt_url_gives_host_port_tls_and_transport(url, expected):
    """Each supported URL scheme maps to its host, default port, TLS flag and transport."""
    settings = MqttSettings.from_json({**BASE, "url": url})

    assert settings.endpoint() == expected
    assert settings.vehicle_id == "12"


@pytest.mark.parametrize("url", ["http://broker.example", "mqtt://", "mqtt://host:notaport"])
def test_unusable_mqtt_url_is_bad_response(url):
    """An MQTT URL we cannot connect to is refused when pairing, not later at connect time."""
    with pytest.raises(BadResponse):
        MqttSettings.from_json({**BASE, "url": url})


def test_missing_credential_is_bad_response():
    """A pairing answer without the MQTT password is a BadResponse naming the field."""
    with pytest.raises(BadResponse, match="mqtt.password"):
        MqttSettings.from_json({"url": "mqtt://h", "username": "u", "vehicle_id": "v", "driver_id": "d"})


def test_the_mqtt_version_defaults_to_5_and_the_client_follows_what_the_server_names():
    """No 'protocol' means MQTT 5; '3.1.1' (the demo's amqtt) makes the client speak 3.1.1; others are refused."""
    from driver_app.core.mqtt_client import DriverMqttClient

    assert MqttSettings.from_json({**BASE, "url": "mqtt://h"}).protocol == "5"
    old = MqttSettings.from_json({**BASE, "url": "mqtt://h", "protocol": "3.1.1"})
    assert old.protocol == "3.1.1"
    assert DriverMqttClient(old).mqtt_v5 is False
    assert DriverMqttClient(MqttSettings.from_json({**BASE, "url": "mqtt://h"})).mqtt_v5 is True
    with pytest.raises(BadResponse, match="protocol"):
        MqttSettings.from_json({**BASE, "url": "mqtt://h", "protocol": "4"})
