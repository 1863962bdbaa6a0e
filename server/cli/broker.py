"""``haul broker``: set up RabbitMQ for Haul (the durable ingest path, docs/deployment.md).

``haul broker setup`` declares the durable positions queue and its bindings (idempotent, like
``haul db upgrade``: run it on every deploy, before phones publish; the ingest workers declare it
too when they connect). ``haul broker config`` prints the ``rabbitmq.conf`` lines Haul needs.
"""

from __future__ import annotations

import os

import click


@click.group("broker")
def broker() -> None:
    """The message broker: RabbitMQ with its MQTT plugin, the durable positions queue."""


@broker.command("setup")
@click.option("--amqp-url", default=lambda: os.environ.get("AMQP_URL", ""), help="amqp://user:pass@host:5672/%2F")
def setup(amqp_url: str) -> None:
    """Declare the durable positions queue and bind it to the position topics (safe to repeat)."""
    import pika

    from gps_ingest.amqp_topology import POSITION_KEYS, POSITIONS_QUEUE, declare

    if not amqp_url:
        raise click.UsageError("AMQP_URL is not set")
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        declare(connection.channel())
    finally:
        connection.close()
    click.echo(f"queue {POSITIONS_QUEUE} (quorum) bound to {', '.join(POSITION_KEYS)}")


@broker.command("config")
@click.option("--haul-url", required=True, help="Where RabbitMQ reaches a Haul server, e.g. http://haul:5000")
@click.option("--service-user", default="haul-service", show_default=True)
@click.option("--amqp-port", default=5672, show_default=True)
@click.option("--mqtt-port", default=1883, show_default=True)
@click.option("--management-port", default=15672, show_default=True)
@click.option("--bind", default="0.0.0.0", show_default=True)
def config(haul_url: str, service_user: str, amqp_port: int, mqtt_port: int, management_port: int, bind: str) -> None:
    """Print rabbitmq.conf for Haul (passwords from HAUL_BROKER_AUTH_PASSWORD and HAUL_BROKER_SERVICE_PASSWORD)."""
    from urllib.parse import quote, urlsplit

    from server.broker.rabbitmq import rabbitmq_conf

    auth_password = os.environ.get("HAUL_BROKER_AUTH_PASSWORD") or "CHANGE-ME"
    parts = urlsplit(haul_url)
    auth_url = f"{parts.scheme}://rabbitmq:{quote(auth_password, safe='')}@{parts.netloc}/internal/broker"
    click.echo(rabbitmq_conf(amqp_port=amqp_port, mqtt_port=mqtt_port, management_port=management_port,
                             auth_url=auth_url, service_user=service_user,
                             service_password=os.environ.get("HAUL_BROKER_SERVICE_PASSWORD") or "CHANGE-ME",
                             bind=bind), nl=False)
