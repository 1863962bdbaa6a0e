"""The ingest worker's paho client: a leaner dispatch.

It exists because of profiles of ``haul bench ingest`` on 2 cores, where the workers share the
CPU with the broker, PostgreSQL and the load generator: whatever a worker spends per message is
throughput lost.
"""

from __future__ import annotations

import logging

import paho.mqtt.client as mqtt

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
