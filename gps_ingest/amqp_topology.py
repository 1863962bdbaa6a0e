"""Where positions wait between the broker and the ingest workers (the durable transport).

Phones publish over MQTT to RabbitMQ's MQTT plugin, which turns every topic into a routing key
on the ``amq.topic`` exchange (``/`` becomes ``.``). One durable **quorum queue**,
``haul.positions``, is bound to the position topics, so a fix is routed to it whether or not any
worker is running, and RabbitMQ sends the phone its PUBACK only once the queue has the message on
disk (publisher confirms inside the MQTT plugin). The ingest workers are competing consumers of
that queue with manual acknowledgements: a message a worker took but never acknowledged goes back
to the queue when the worker's connection dies, whatever the worker's id.

`declare` is idempotent (the servers' ``haul broker setup``, and every worker on connect, run it).
"""

from __future__ import annotations

POSITIONS_QUEUE = "haul.positions"
EXCHANGE = "amq.topic"
# Routing keys as RabbitMQ makes them from MQTT topics: haul/v1/vehicles/{id}/position and
# owntracks/{user}/{device}. A topic whose parts contain "." would make another number of parts
# and match nothing, so the broker's access check refuses such publishes (server.broker.device_access).
POSITION_KEYS = ("haul.v1.vehicles.*.position", "owntracks.*.*")
QUEUE_ARGUMENTS = {"x-queue-type": "quorum"}


def declare(channel) -> None:
    """Create the positions queue and its bindings if they are missing (a pika channel)."""
    channel.queue_declare(POSITIONS_QUEUE, durable=True, arguments=QUEUE_ARGUMENTS)
    for key in POSITION_KEYS:
        channel.queue_bind(POSITIONS_QUEUE, EXCHANGE, routing_key=key)


def mqtt_topic(routing_key: str) -> str:
    """The MQTT topic a routing key came from (RabbitMQ replaced each ``/`` with ``.``)."""
    return routing_key.replace(".", "/")


def routing_key(topic: str) -> str:
    """The routing key RabbitMQ makes of an MQTT topic (wildcards: ``+`` becomes ``*``)."""
    return topic.replace("/", ".").replace("+", "*")
