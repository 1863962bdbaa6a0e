"""An ingest worker's counters, logged every minute and kept in Redis for the server's ``/metrics``."""

from __future__ import annotations

import json
import logging
import os

log = logging.getLogger("haul.ingest")
METRICS_KEY = "haul:ingest:metrics"  # Redis hash: worker id -> JSON counters, read by /metrics


def metrics_reporter(worker_id: str, runtime):
    """Every ~5 s, log counters (every minute) and put them in Redis for the server's /metrics."""
    import time

    redis_url = os.environ.get("REDIS_URL")
    client = None
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
    state = {"next": 0.0, "log": 0.0}

    def report(force: bool = False) -> None:
        now = time.monotonic()
        if now < state["next"] and not force:
            return
        state["next"] = now + 5
        snap = runtime.metrics.snapshot()
        if now >= state["log"]:
            state["log"] = now + 60
            log.info("ingest counters: %s", json.dumps(snap))
        if client is not None:
            try:
                client.hset(METRICS_KEY, worker_id, json.dumps(snap))
            except Exception:
                log.warning("could not publish metrics to Redis", exc_info=True)

    return report
