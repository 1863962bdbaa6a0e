"""The ``haul demo`` launcher's settings and banner."""

from __future__ import annotations

import click
import pytest

from server.demo.launcher import banner, mqtt_port, name_embedded_broker, scale_ingest
from server.demo.pace import Pace


def test_the_broker_port_comes_from_the_option_then_the_variable_then_1884(monkeypatch):
    """--mqtt-port wins, then HAUL_EMBEDDED_MQTT_PORT; the default keeps clear of Mosquitto's 1883."""
    monkeypatch.delenv("HAUL_EMBEDDED_MQTT_PORT", raising=False)
    assert mqtt_port(None) == 1884
    monkeypatch.setenv("HAUL_EMBEDDED_MQTT_PORT", "2883")
    assert mqtt_port(None) == 2883
    assert mqtt_port(3883) == 3883
    monkeypatch.setenv("HAUL_EMBEDDED_MQTT_PORT", "nope")
    with pytest.raises(click.UsageError, match="HAUL_EMBEDDED_MQTT_PORT"):
        mqtt_port(None)


def test_ingest_limits_scale_with_the_speed_unless_set_by_hand():
    """The plausible-speed limit grows with the time factor; a value set by hand is kept."""
    env = {"HAUL_GPS_DWELL_MINUTES": "3"}
    scale_ingest(Pace(60), env)
    assert env == {"HAUL_GPS_MAX_SPEED_KMH": "15000", "HAUL_GPS_DWELL_MINUTES": "3"}


def test_the_banner_names_each_role_with_its_dashboard():
    """Each login is printed with the URL of its dashboard, and drivers with the driver app."""
    text = banner("http://127.0.0.1:5000", [("seller", "Plant", "s@x.demo"), ("buyer", "B", "b@x.demo"),
                                            ("driver", "C", "driver1@c.demo .. driver4@c.demo")],
                  Pace(60), "mqtt://127.0.0.1:1884")
    assert "s@x.demo" in text and "http://127.0.0.1:5000/seller" in text
    assert "http://127.0.0.1:5000/buyer" in text
    assert "haul driver --server http://127.0.0.1:5000" in text
    assert "mqtt://127.0.0.1:1884" in text and "haul-demo-2026" in text


def test_phones_paired_with_the_demo_are_told_the_embedded_broker_and_its_mqtt_version():
    """The demo names its loopback amqtt broker and MQTT 3.1.1 for pairing; values set by hand are kept."""
    env: dict[str, str] = {}
    name_embedded_broker(2884, env)
    assert env == {"HAUL_DEVICE_MQTT_URL": "mqtt://127.0.0.1:2884", "HAUL_DEVICE_MQTT_PROTOCOL": "3.1.1"}
    mine = {"HAUL_DEVICE_MQTT_URL": "mqtts://broker.example:8883", "HAUL_DEVICE_MQTT_PROTOCOL": "5"}
    name_embedded_broker(2884, mine)
    assert mine == {"HAUL_DEVICE_MQTT_URL": "mqtts://broker.example:8883", "HAUL_DEVICE_MQTT_PROTOCOL": "5"}
