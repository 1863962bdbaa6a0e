"""Delivery settings: defaults, overrides from the config or the environment, and the outbound allowance."""

import pytest

from server.config import ConfigError
from server.notify.addresses import system_resolver
from server.notify.settings import DeliverySettings, delivery_settings


def test_internal_targets_are_refused_in_every_environment_unless_named(monkeypatch):
    """No environment allows internal targets by itself; HAUL_WEBHOOK_ALLOW_HOSTS names the allowed ones."""
    monkeypatch.delenv("HAUL_WEBHOOK_ALLOW_HOSTS", raising=False)
    for env in ("development", "production", "test"):
        policy = delivery_settings({"ENV_NAME": env}).policy
        assert policy.host_problem("127.0.0.1") and policy.host_problem("erp.internal")
    monkeypatch.setenv("HAUL_WEBHOOK_ALLOW_HOSTS", "erp.internal,10.1.2.3")
    policy = delivery_settings({"ENV_NAME": "production"}).policy
    assert policy.host_problem("erp.internal") is None and policy.host_problem("10.1.2.3") is None
    assert policy.host_problem("10.1.2.4") and policy.resolver is system_resolver


def test_the_old_blanket_switch_and_bad_allowances_stop_the_start(monkeypatch):
    """HAUL_WEBHOOK_ALLOW_PRIVATE is refused with what to use instead; an unreadable allowance names its entry."""
    monkeypatch.setenv("HAUL_WEBHOOK_ALLOW_PRIVATE", "1")
    with pytest.raises(ConfigError, match="HAUL_WEBHOOK_ALLOW_HOSTS"):
        delivery_settings({})
    monkeypatch.delenv("HAUL_WEBHOOK_ALLOW_PRIVATE")
    with pytest.raises(ConfigError, match="'no such host!'"):
        delivery_settings({"HAUL_WEBHOOK_ALLOW_HOSTS": "no such host!"})


def test_numbers_come_from_the_config_then_the_environment_then_defaults(monkeypatch):
    """The app config wins over the environment, which wins over the defaults."""
    monkeypatch.setenv("HAUL_WEBHOOK_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("HAUL_WEBHOOK_TIMEOUT_S", "2.5")
    settings = delivery_settings({"HAUL_WEBHOOK_MAX_ATTEMPTS": 3})
    assert settings.max_attempts == 3 and settings.timeout_s == 2.5
    assert settings.disable_after == DeliverySettings().disable_after


def test_an_endpoint_need_not_fail_longer_than_its_retries_last_to_be_disabled():
    """The minimum failing time is capped by the retry schedule, so a dead endpoint is always reachable."""
    assert DeliverySettings().failing_long_enough_s == 3600
    short = DeliverySettings(max_attempts=3, disable_min_failing_s=24 * 3600)
    assert short.failing_long_enough_s == 0.8 * (10 + 30)
    assert DeliverySettings(disable_min_failing_s=24 * 3600).failing_long_enough_s < 24 * 3600
