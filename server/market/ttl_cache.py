"""A small per-process cache with a time to live, refreshed ahead of expiry (the market's audiences)."""

from __future__ import annotations

import random
import threading
import time


class TTLCache:
    """A small per-process cache of audiences, so a burst of bids does not recompute them.

    ``once(key)`` gives a per-key lock, so a burst that misses together computes it once. An entry
    is due for refresh a random 60-90% into its TTL: the first caller to see that recomputes it
    while the others go on with the entry, still valid, instead of every thread waiting at the
    expiry, and entries put in the same second do not all come due in the same second.
    """

    REFRESH_AFTER = (0.6, 0.9)  # of the TTL

    def __init__(self, size: int = 4096):
        self._data: dict = {}
        self._locks: dict = {}
        self._lock = threading.Lock()
        self._size = size

    def get(self, key):
        """``(value, due for refresh)``, or None when absent or expired."""
        with self._lock:
            hit = self._data.get(key)
        if hit is None:
            return None
        now = time.monotonic()
        return (hit[2], now >= hit[1]) if hit[0] > now else None

    def fresh(self, key):
        """``(value, seconds it has left)`` while the entry is not yet due for refresh, else None."""
        with self._lock:
            hit = self._data.get(key)
        now = time.monotonic()
        return (hit[2], hit[0] - now) if hit is not None and now < hit[1] else None

    def once(self, key) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def put(self, key, value, ttl: float) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._data) >= self._size:
                self._data.clear()
                self._locks.clear()
            self._data[key] = (now + ttl, now + ttl * random.uniform(*self.REFRESH_AFTER), value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._locks.clear()
