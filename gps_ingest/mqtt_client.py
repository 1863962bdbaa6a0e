"""The ingest worker's process-level speed-ups: a leaner paho dispatch and garbage-collector settings.

Both exist because of profiles of ``haul bench ingest`` on 2 cores, where the workers share the
CPU with the broker, PostgreSQL and the load generator: whatever a worker spends per message is
throughput lost.
"""

from __future__ import annotations

import gc
import logging

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)

GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)


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


def tune_gc() -> None:
    """Collect garbage less often, and never scan what was loaded at start-up again.

    A worker allocates several container objects per fix (the fix, its tuples and dicts), and with
    the default threshold of 700 a young collection ran every few messages; each older collection
    also walked every object of the loaded application (SQLAlchemy models, Flask, paho). Freezing
    moves those to a generation the collector skips, and the higher threshold makes young
    collections rarer (each costs about the same, so the total falls). Cyclic garbage is still
    collected; only how often the collector looks changes.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
