"""The ingest worker's paho client: a leaner dispatch, and a probe of what the broker speaks.

It exists because of profiles of ``haul bench ingest`` on 2 cores, where the workers share the
CPU with the broker, PostgreSQL and the load generator: whatever a worker spends per message is
throughput lost.
"""

from __future__ import annotations

import logging
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

log = logging.getLogger(__name__)


class DirectDispatchClient(mqtt.Client):
    """A paho client that hands each message straight to ``on_message``.

    Before calling ``on_message`` paho matches every message's topic against the callbacks of
    ``message_callback_add`` (a recursive generator per message): 5% of a worker's CPU at 5,000
    single-fix messages a second (py-spy), though the worker adds no such callback. With none,
    paho calls ``on_message`` anyway, so skipping the match changes nothing; once one is added
    (nothing here does) paho's own dispatch takes over again. If a paho release renames this hook,
    the override is simply never called and paho's dispatch applies.
    """

    _filtered_callbacks = False

    def message_callback_add(self, sub, callback) -> None:
        self._filtered_callbacks = True
        super().message_callback_add(sub, callback)

    def _handle_on_message(self, message: mqtt.MQTTMessage) -> None:
        if self._filtered_callbacks:
            super()._handle_on_message(message)
            return
        on_message = self.on_message
        if on_message is None:
            return
        with self._in_callback_mutex:
            try:
                on_message(self, self._userdata, message)
            except Exception as err:
                log.exception("on_message raised: %s", err)
                if not self.suppress_exceptions:
                    raise


def probe_mqtt5(host: str, port: int, username: str | None = None, password: str | None = None,
                timeout_s: float = 5.0) -> bool:
    """Whether the broker accepts an MQTT 5 connection (Mosquitto does; amqtt does not)."""
    result: dict[str, bool] = {}
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="", protocol=mqtt.MQTTv5)
    if username:
        client.username_pw_set(username, password)

    def on_connect(_c, _u, _f, reason_code, _p):
        result["ok"] = not reason_code.is_failure
        done.set()

    def on_disconnect(*_args):
        done.set()

    client.on_connect, client.on_disconnect = on_connect, on_disconnect
    try:
        client.connect(host, port, keepalive=10)
    except OSError:
        raise
    client.loop_start()
    done.wait(timeout_s)
    client.loop_stop()
    try:
        client.disconnect()
    except Exception:  # already gone
        pass
    return result.get("ok", False)
