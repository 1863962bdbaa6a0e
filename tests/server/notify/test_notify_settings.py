"""Delivery settings: defaults, overrides from the config or the environment, and the private-target policy."""

from server.notify.settings import DeliverySettings, delivery_settings


def test_production_refuses_private_targets_unless_the_operator_opts_in(monkeypatch):
    """Private targets are refused in production, allowed elsewhere, and allowed in production only on opt-in."""
    monkeypatch.delenv("HAUL_WEBHOOK_ALLOW_PRIVATE", raising=False)
    assert delivery_settings({"ENV_NAME": "production"}).allow_private is False
    assert delivery_settings({"ENV_NAME": "development"}).allow_private is True
    assert delivery_settings({"ENV_NAME": "production", "HAUL_WEBHOOK_ALLOW_PRIVATE": "1"}).allow_private is True
    monkeypatch.setenv("HAUL_WEBHOOK_ALLOW_PRIVATE", "0")
    assert delivery_settings({"ENV_NAME": "development"}).allow_private is False


def test_numbers_come_from_the_config_then_the_environment_then_defaults(monkeypatch):
    """The app config wins over the environment, which wins over the defaults."""
    monkeypatch.setenv("HAUL_WEBHOOK_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("HAUL_WEBHOOK_TIMEOUT_S", "2.5")
    settings = delivery_settings({"HAUL_WEBHOOK_MAX_ATTEMPTS": 3})
    assert settings.max_attempts == 3 and settings.timeout_s == 2.5
    assert settings.disable_after == DeliverySettings().disable_after
