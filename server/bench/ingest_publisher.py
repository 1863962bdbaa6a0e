"""The ``haul bench ingest`` load generator: one process of paced QoS 1 publishes, as phones send them
(MQTT 3.1.1, what RabbitMQ's MQTT plugin speaks; a fix is published once the broker acknowledged it)."""

from __future__ import annotations

import json
import multiprocessing as mp
import time
import uuid

PACE_S = 0.005  # a publisher sleeps only once it is this far ahead of its schedule


def publisher_process(port: int, login: tuple[str, str], vehicles: list[int], rate: float, batch: int,
                      duration: float, start_at: float, out: mp.Queue) -> None:
    """One load-generator process: paced QoS 1 publishes; reports (published fixes, unrouted, refused)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    counts = {"acked": 0, "unrouted": 0, "refused": 0}

    def on_publish(_c, _u, _mid, rc, _p):
        key = "unrouted" if rc.value == 16 else "refused" if rc.is_failure else "acked"
        counts[key] += 1

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv311)
    client.username_pw_set(*login)
    # No in-flight cap: with one, paho scans every un-acked message on each PUBACK
    # (Client._update_inflight), which was 40% of this process's CPU at 2,500 msg/s. The broker
    # acks at once, so the window stays small anyway (far below Mosquitto's Receive Maximum).
    client.max_inflight_messages_set(0)
    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    spacing_ms = max(1, int(1000 / (rate * batch)))
    sent_messages = sent_fixes = 0
    while time.time() < start_at:
        time.sleep(0.001)
    interval = 1.0 / rate
    last_t: dict[int, int] = {}
    base_ms = int(start_at * 1000)
    # Exactly duration x rate ticks: a tick started just before the end used to run a whole extra
    # interval, so the offered rate was higher than reported and the run a second longer.
    for tick in range(max(1, round(duration * rate))):
        due = start_at + tick * interval
        for index, vehicle in enumerate(vehicles):
            # Spread each vehicle's sends over the interval so the load is smooth (to within
            # PACE_S: a sleep per message cost more CPU than the publish itself).
            at = due + interval * index / len(vehicles)
            delay = at - time.time()
            if delay > PACE_S:
                time.sleep(delay)
            # Strictly increasing, non-overlapping fix times per vehicle even when the generator lags,
            # and a steady 40 km/h, so no fix trips the duplicate or impossible-jump filters.
            first = max(int(time.time() * 1000) - (batch - 1) * spacing_ms, last_t.get(vehicle, 0) + spacing_ms)
            last_t[vehicle] = first + (batch - 1) * spacing_ms
            # The fields the driver app sends (driver_app.core.positions), speed included: without
            # it the ETA's speed estimate starts at the floor and every fix is an eta_changed event.
            fixes = [{"t": first + j * spacing_ms, "lat": 51.0 + (first + j * spacing_ms - base_ms) * 1e-7,
                      "lon": 7.0 + vehicle * 1e-4, "speed": 11.1, "heading": 0.0, "acc": 5.0, "batt": 80.0,
                      "seq": sent_fixes + j} for j in range(batch)]
            body = ({"_type": "position", "v": 1, **fixes[0]} if batch == 1
                    else {"_type": "batch", "v": 1, "positions": fixes})
            client.publish(f"haul/v1/vehicles/{vehicle}/position", json.dumps(body), qos=1)
            sent_messages += 1
            sent_fixes += batch
    deadline = time.time() + 60
    while sum(counts.values()) < sent_messages and time.time() < deadline:
        time.sleep(0.1)
    client.disconnect()
    client.loop_stop()
    out.put({"messages": sent_messages, "fixes": sent_fixes, **counts})
