"""What a driver device may do on the broker: the answers of RabbitMQ's HTTP auth backend.

RabbitMQ asks (`server.broker.auth_routes`) on every connect and before the first use of each
resource and topic of a connection. A device, i.e. a live `DeviceCredential` (not revoked, its
vehicle and organisation active), may only

* connect with its own secret and the client id ``<username>`` or ``haul-driver-<username>``
  (so it can never take over another device's session, whose queue holds that device's inbox);
* use its own MQTT session queues (``mqtt-subscription-<client id>qos0|1``) and ``amq.topic``;
* publish to its vehicle's ``position`` and ``status`` topics, and to OwnTracks topics under its
  own username (``owntracks/<username>/<device>`` and that device's sub-topics);
* subscribe to its driver's inbox, and to OwnTracks topics under its own username.

Anything else is refused; RabbitMQ then closes the connection (MQTT 3.1.1 has no refusal codes
for publishes). Shared subscriptions (``$share/...``), ``#``, other vehicles' topics and other
inboxes are refused by these rules, and even a subscription that were allowed could only ever
receive copies: the positions queue is the workers' alone (no device may read or bind it).

Topics arrive as RabbitMQ routing keys (``/`` is ``.``, ``+`` is ``*``).
"""

from __future__ import annotations

from dataclasses import dataclass

EXCHANGE = "amq.topic"
OWNTRACKS_SUBTOPICS = frozenset({"event", "info", "cmd", "waypoint", "waypoints", "transition", "card", "dump",
                                 "step", "status"})
_WILDCARDS = ("*", "#")


@dataclass(frozen=True)
class Device:
    """A live device credential, as the broker may use it."""

    username: str
    vehicle_id: int | None
    driver_id: int | None


def client_ids(username: str) -> tuple[str, str]:
    """The client ids a device may connect with: its username, or the driver app's form."""
    return (username, f"haul-driver-{username}")


def may_connect(device: Device, client_id: str | None) -> bool:
    """A device connects under its own client id only (``None``: not an MQTT connection)."""
    return client_id is None or client_id in client_ids(device.username)


def may_use_resource(device: Device, resource: str, name: str, permission: str) -> bool:
    """Exchanges and queues: ``amq.topic`` to publish and bind, and the device's own session queues."""
    if resource == "exchange":
        return name == EXCHANGE and permission in ("read", "write")
    if resource == "queue":
        own = {f"mqtt-subscription-{cid}qos{q}" for cid in client_ids(device.username) for q in (0, 1)}
        return name in own
    return False


def may_publish(device: Device, routing_key: str) -> bool:
    parts = routing_key.split(".")
    if device.vehicle_id is not None and parts[:3] == ["haul", "v1", "vehicles"] and len(parts) == 5:
        return parts[3] == str(device.vehicle_id) and parts[4] in ("position", "status")
    return _own_owntracks(device, parts) and not any(w in routing_key for w in _WILDCARDS)


def may_subscribe(device: Device, routing_key: str) -> bool:
    if device.driver_id is not None and routing_key == f"haul.v1.drivers.{device.driver_id}.inbox":
        return True
    parts = routing_key.split(".")
    # The OwnTracks app subscribes to its own device's commands (owntracks/<user>/<device>/cmd).
    return _own_owntracks(device, parts) and "#" not in parts[:3] and "*" not in parts[:2]


def _own_owntracks(device: Device, parts: list[str]) -> bool:
    """``owntracks.<username>.<device>[.<sub-topic>]``; a username or device name with a dot
    would be split into more parts (and route nowhere), so it is refused, not silently lost."""
    if len(parts) < 3 or parts[0] != "owntracks" or parts[1] != device.username or not parts[2]:
        return False
    return len(parts) == 3 or (len(parts) == 4 and parts[3] in OWNTRACKS_SUBTOPICS)


def may_use_topic(device: Device, routing_key: str, permission: str) -> bool:
    if permission == "write":
        return may_publish(device, routing_key)
    if permission == "read":
        return may_subscribe(device, routing_key)
    return False
