"""The garbage brake's buckets in Redis, so one limit holds across every ingest worker.

One Lua script per garbage message refills the device's bucket, takes a token or counts the
message as braked in the current window, and answers both: atomic in Redis, so two workers
taking from one bucket at once cannot both get its last token, and a window count reaches the
flag and suspend limits in exactly one worker. Keys expire when idle (a bucket when it would be
full again, a window count with its window), so the set stays as large as the live offenders.
While Redis does not answer, the brake counts in this process (`LocalGarbageBuckets`) and says
so once, and tries Redis again only every `RETRY_S` seconds: a Redis that hangs must not cost every
garbage message of a flood its socket timeout, on the worker's one processing thread.

Time is the workers' clock (``now``), which keeps the script deterministic; workers on one
cluster are assumed to be NTP-synchronised to well within a second.
"""

from __future__ import annotations

import logging
import math
import time

from gps_ingest.device_brake import BrakeLimits, LocalGarbageBuckets

log = logging.getLogger(__name__)

RETRY_S = 5.0  # after a Redis failure, count in this process for this long before asking Redis again

_TAKE = """
local burst, per_s, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window_s, window = tonumber(ARGV[4]), ARGV[5]
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) * per_s)
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', now)
  redis.call('EXPIRE', KEYS[1], math.ceil((burst - tokens + 1) / per_s) + 1)
  return {1, 0}
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / per_s) + 1)
local braked_key = KEYS[2] .. ':' .. window
local braked = redis.call('INCR', braked_key)
if braked == 1 then redis.call('EXPIRE', braked_key, math.ceil(window_s) + 1) end
return {0, braked}
"""


class RedisGarbageBuckets:
    """`GarbageBuckets` in Redis under ``prefix`` (a ``redis.Redis`` client)."""

    def __init__(self, client, limits: BrakeLimits, prefix: str = "haul:gps:brake",
                 monotonic=time.monotonic):
        self.limits, self._redis, self._prefix = limits, client, prefix
        self._script = client.register_script(_TAKE)
        self._fallback = LocalGarbageBuckets(limits)
        self._failing = False
        self._monotonic = monotonic
        self._retry_at = 0.0

    def take(self, key: str, now: float) -> tuple[bool, int]:
        limits = self.limits
        if self._failing and self._monotonic() < self._retry_at:
            return self._fallback.take(key, now)
        window = str(math.floor(now / limits.window_s))
        try:
            allowed, braked = self._script(
                keys=[f"{self._prefix}:bucket:{key}", f"{self._prefix}:braked:{key}"],
                args=[limits.burst, limits.per_s, repr(now), limits.window_s, window])
        except Exception as exc:  # noqa: BLE001 (any Redis failure: brake in this process instead)
            if not self._failing:
                log.warning("Redis unavailable for the garbage brake (%s); counting in this process", exc)
                self._failing = True
            self._retry_at = self._monotonic() + RETRY_S
            return self._fallback.take(key, now)
        if self._failing:
            log.info("Redis answers the garbage brake again")
            self._failing = False
        return bool(allowed), int(braked)


def garbage_buckets(redis_url: str | None, limits: BrakeLimits, prefix: str = "haul:gps:brake"):
    """Shared buckets when ``redis_url`` is given, else this process's own."""
    if not redis_url:
        return LocalGarbageBuckets(limits)
    import redis

    return RedisGarbageBuckets(redis.Redis.from_url(redis_url, socket_timeout=1), limits, prefix)
