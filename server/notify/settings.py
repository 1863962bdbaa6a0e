"""Webhook delivery settings, read from the app config, then the environment, then defaults.

Every key can be given as ``HAUL_WEBHOOK_<NAME>`` in either place; the app config wins so
tests can set a value on one app without touching the process environment. Internal targets
are refused in every environment; ``HAUL_WEBHOOK_ALLOW_HOSTS`` names the ones an operator allows
(``erp.internal,10.1.2.3,192.168.7.0/24``). The app config key ``WEBHOOK_RESOLVER`` (a
``server.notify.addresses.Resolver``) replaces the system resolver, for tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from server.config import ConfigError
from server.notify.addresses import AllowList, OutboundPolicy, system_resolver

# Delay before retry n (after the n-th failed attempt): 10 s, 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h.
RETRY_DELAYS_S: tuple[float, ...] = (10, 30, 120, 600, 3600, 3 * 3600, 6 * 3600, 12 * 3600)


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = len(RETRY_DELAYS_S) + 1  # the first try and every retry: about 22 h in all
    disable_after: int = 20  # consecutive failed attempts before an endpoint counts as dead ...
    # ... and only once it has failed for this long, or through a whole retry schedule if that is
    # shorter (``failing_long_enough_s``): at 24 h (as it once was) a burst of events gave up retrying
    # (~22 h) before the time was ever reached, and the endpoint stayed active for good.
    disable_min_failing_s: float = 3600
    timeout_s: float = 5.0  # connect and read, each
    poll_s: float = 2.0  # how often the background worker looks for due deliveries
    batch: int = 50  # deliveries claimed per round
    send_threads: int = 4  # one slow endpoint must not hold up the others
    lease_s: float = 300.0  # a claimed delivery whose worker died is retried after this
    keep_days: int = 30  # the delivery log is purged after this
    org_rate_per_min: int = 600  # attempts per organisation and minute; the rest wait for a later round
    policy: OutboundPolicy = field(default_factory=OutboundPolicy)  # where deliveries may go

    @property
    def failing_long_enough_s(self) -> float:
        """How long an endpoint must have failed before it is disabled: never beyond the retry schedule."""
        return min(self.disable_min_failing_s, retry_horizon_s(self.max_attempts))


_FIELDS = {"MAX_ATTEMPTS": ("max_attempts", int), "DISABLE_AFTER": ("disable_after", int),
           "DISABLE_MIN_FAILING_S": ("disable_min_failing_s", float), "TIMEOUT_S": ("timeout_s", float),
           "POLL_S": ("poll_s", float), "BATCH": ("batch", int), "SEND_THREADS": ("send_threads", int),
           "LEASE_S": ("lease_s", float), "KEEP_DAYS": ("keep_days", int),
           "ORG_RATE_PER_MIN": ("org_rate_per_min", int)}


def delivery_settings(config: dict) -> DeliverySettings:
    """Settings for one app; raises ``ConfigError`` for an allowance that cannot be read, or for the
    old blanket ``HAUL_WEBHOOK_ALLOW_PRIVATE`` (which let every tenant reach the LAN)."""

    def raw(name):
        key = f"HAUL_WEBHOOK_{name}"
        return config.get(key, os.environ.get(key))

    values = {}
    for name, (attr, cast) in _FIELDS.items():
        if raw(name) not in (None, ""):
            values[attr] = cast(raw(name))
    if raw("ALLOW_PRIVATE") not in (None, ""):
        raise ConfigError("HAUL_WEBHOOK_ALLOW_PRIVATE is no longer read: name the internal hosts webhooks may "
                          "reach in HAUL_WEBHOOK_ALLOW_HOSTS (names, addresses or networks, comma-separated)")
    try:
        allow = AllowList.parse(raw("ALLOW_HOSTS"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    values["policy"] = OutboundPolicy(allow, config.get("WEBHOOK_RESOLVER") or system_resolver)
    return DeliverySettings(**values)


def retry_horizon_s(max_attempts: int) -> float:
    """Seconds from a delivery's first try to its last, at the shortest (every delay jittered 20 % down)."""
    retries = max(max_attempts - 1, 0)
    delays = RETRY_DELAYS_S[:retries] + (RETRY_DELAYS_S[-1],) * max(retries - len(RETRY_DELAYS_S), 0)
    return 0.8 * sum(delays)


@dataclass(frozen=True)
class FanoutLimits:
    """Bounds on what one event may cause, whoever publishes it (``HAUL_NOTIFY_<NAME>``)."""

    max_orgs_per_event: int = 50  # organisations told of one event (in-app and webhooks)
    max_deliveries_per_event: int = 100  # webhook deliveries queued for one event
    max_webhooks_per_org: int = 10  # endpoints an organisation may register


def fanout_limits(config: dict) -> FanoutLimits:
    """The bounds for one app: its config, then the environment, then the defaults."""
    values = {}
    for attr in FanoutLimits.__dataclass_fields__:
        key = f"HAUL_NOTIFY_{attr.upper()}"
        raw = config.get(key, os.environ.get(key))
        if raw not in (None, ""):
            values[attr] = int(raw)
    return FanoutLimits(**values)
