"""Configuration from the environment."""

import pytest

from server.config import ConfigError, load_config


def test_defaults_are_the_embedded_backend(monkeypatch, tmp_path):
    """With nothing set, Haul uses SQLite under the instance folder and the embedded broker."""
    for var in ("DATABASE_URL", "MQTT_URL", "REDIS_URL", "SECRET_KEY", "HAUL_ENV"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HAUL_INSTANCE_DIR", str(tmp_path))
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'haul.db'}"
    assert config["MQTT_URL"] == "" and config["REDIS_URL"] == ""


def test_plain_postgres_url_gets_the_psycopg_driver(monkeypatch):
    """An ops-style postgresql:// URL is given the driver Haul ships."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/haul")
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/haul"


def test_production_refuses_the_default_secret(monkeypatch):
    """Production mode with the development secret does not start."""
    monkeypatch.setenv("HAUL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    assert load_config()["ENV_NAME"] == "production"


def test_redis_names_default_and_can_be_set(monkeypatch):
    """The Socket.IO channel and the RQ queue name come from the environment, so deployments can share a Redis."""
    monkeypatch.delenv("HAUL_SOCKETIO_CHANNEL", raising=False)
    monkeypatch.delenv("HAUL_JOB_QUEUE", raising=False)
    config = load_config()
    assert (config["SOCKETIO_CHANNEL"], config["JOB_QUEUE"]) == ("flask-socketio", "haul")
    monkeypatch.setenv("HAUL_SOCKETIO_CHANNEL", "site-b-sockets")
    monkeypatch.setenv("HAUL_JOB_QUEUE", "site-b-jobs")
    config = load_config()
    assert (config["SOCKETIO_CHANNEL"], config["JOB_QUEUE"]) == ("site-b-sockets", "site-b-jobs")


def test_the_device_mqtt_version_is_5_or_3_1_1_and_nothing_else(monkeypatch):
    """Phones are told which MQTT version the broker speaks; a typo stops the server at start, not the phones."""
    monkeypatch.delenv("HAUL_DEVICE_MQTT_PROTOCOL", raising=False)
    monkeypatch.delenv("AMQP_URL", raising=False)
    assert load_config()["DEVICE_MQTT_PROTOCOL"] == "5"
    monkeypatch.setenv("HAUL_DEVICE_MQTT_PROTOCOL", "3.1.1")
    assert load_config()["DEVICE_MQTT_PROTOCOL"] == "3.1.1"
    monkeypatch.setenv("HAUL_DEVICE_MQTT_PROTOCOL", "3")
    with pytest.raises(ConfigError, match="HAUL_DEVICE_MQTT_PROTOCOL"):
        load_config()


def test_phones_are_told_mqtt_3_1_1_when_the_broker_is_rabbitmq(monkeypatch):
    """With the durable path (AMQP_URL, RabbitMQ 3.10's MQTT plugin) pairing hands out 3.1.1 unless told otherwise."""
    monkeypatch.delenv("HAUL_DEVICE_MQTT_PROTOCOL", raising=False)
    monkeypatch.setenv("AMQP_URL", "amqp://haul-service:pw@rabbit:5672/%2F")
    assert load_config()["DEVICE_MQTT_PROTOCOL"] == "3.1.1"
    monkeypatch.setenv("HAUL_DEVICE_MQTT_PROTOCOL", "5")
    assert load_config()["DEVICE_MQTT_PROTOCOL"] == "5"


def test_the_yard_settings_come_from_haul_variables(monkeypatch):
    """HAUL_YARD_* set a yard setting (switches read 0/false/no/off as off); unset ones stay out, so the code's
    default applies; a bad number refuses to start."""
    monkeypatch.setenv("HAUL_YARD_STEP_BACK", "0")
    monkeypatch.setenv("HAUL_YARD_REACT_MINUTES", "45")
    monkeypatch.setenv("HAUL_YARD_TRIP_NEAR_KM", "2.5")
    config = load_config()
    assert config["YARD_STEP_BACK"] is False and config["YARD_REACT_MINUTES"] == 45
    assert config["YARD_TRIP_NEAR_KM"] == 2.5 and "YARD_PULL_UP" not in config
    monkeypatch.setenv("HAUL_YARD_REACT_MINUTES", "half an hour")
    with pytest.raises(ConfigError, match="HAUL_YARD_REACT_MINUTES"):
        load_config()
