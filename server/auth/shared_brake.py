"""A failure brake shared by every server process through Redis, or kept in this process without it.

Same interface as ``server.tracking.failure_brake.FailureBrake`` (``retry_after(key)``,
``failed(key)``): one sorted set of failure times per key, trimmed to the window and expiring with
it, so a key braked by one process is braked in all of them. When Redis is away the brake falls
back to this process's own memory rather than refusing every sign-in.
"""

from __future__ import annotations

import logging
import secrets
import time

from server.tracking.failure_brake import FailureBrake

log = logging.getLogger(__name__)


class RedisFailureBrake:
    """At most ``limit`` failures per key in a sliding ``window_s``, counted in Redis under ``prefix``."""

    def __init__(self, client, prefix: str, limit: int, window_s: float, clock=time.time) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._redis, self._prefix = client, prefix
        self._fallback = FailureBrake(limit, window_s)

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    def retry_after(self, key: str) -> int:
        now = self._clock()
        try:
            pipe = self._redis.pipeline()
            pipe.zremrangebyscore(self._key(key), "-inf", now - self.window_s)
            pipe.zrange(self._key(key), 0, 0, withscores=True)
            pipe.zcard(self._key(key))
            _, oldest, count = pipe.execute()
        except Exception:  # noqa: BLE001 (any Redis failure: brake in memory instead)
            log.warning("Redis unavailable for the failure brake; counting in this process", exc_info=True)
            return self._fallback.retry_after(key)
        if count < self.limit or not oldest:
            return 0
        return max(1, int(oldest[0][1] + self.window_s - now) + 1)

    def failed(self, key: str) -> bool:
        now = self._clock()
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(self._key(key), {f"{now}:{secrets.token_hex(4)}": now})
            pipe.zremrangebyscore(self._key(key), "-inf", now - self.window_s)
            pipe.zcard(self._key(key))
            pipe.expire(self._key(key), int(self.window_s) + 1)
            _, _, count, _ = pipe.execute()
        except Exception:  # noqa: BLE001
            log.warning("Redis unavailable for the failure brake; counting in this process", exc_info=True)
            return self._fallback.failed(key)
        return count == self.limit


def failure_brake(app, name: str, limit: int, window_s: float):
    """The app's brake called ``name``: in Redis when ``REDIS_URL`` is set, else in this process."""
    brakes = app.extensions.setdefault("haul_brakes", {})
    if name not in brakes:
        url = app.config.get("REDIS_URL")
        if url:
            import redis

            prefix = f"{app.config.get('BRAKE_KEY_PREFIX', 'haul:brake')}:{name}"
            brakes[name] = RedisFailureBrake(redis.Redis.from_url(url, socket_timeout=2), prefix, limit, window_s)
        else:
            brakes[name] = FailureBrake(limit, window_s)
    return brakes[name]
