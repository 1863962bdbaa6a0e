"""A brake on clients that keep failing: at most ``limit`` failures per key in a sliding window.

The key is what is being braked: a client address (wrong pairing codes, wrong device
credentials) or a device login (a device that keeps sending garbage). A braked key is answered
429 with ``Retry-After`` by the caller; every other key goes on as before, so one bad client
never slows the rest.

Per process: with several server processes the limit is per process. Behind a proxy every client
shares the proxy's address (configure ProxyFix so ``remote_addr`` is the client's). The number of
keys remembered is bounded (`max_keys`, oldest forgotten first), so a flood of addresses cannot
grow it without end.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class FailureBrake:
    """At most ``limit`` failures per key in a sliding ``window_s``."""

    def __init__(self, limit: int = 20, window_s: float = 600.0, clock=time.monotonic, max_keys: int = 100_000):
        self.limit, self.window_s, self._clock, self._max_keys = limit, window_s, clock, max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        now = self._clock()
        seen = self._failures.setdefault(key, deque())
        while seen and seen[0] <= now - self.window_s:
            seen.popleft()
        return seen

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            seen = self._recent(key)
            if len(seen) < self.limit:
                if not seen:
                    self._failures.pop(key, None)  # keep the map as small as the live abusers
                return 0
            return max(1, int(seen[0] + self.window_s - self._clock()) + 1)

    def failed(self, key: str) -> bool:
        """Count one failure of ``key``; returns whether this one engaged the brake."""
        with self._lock:
            seen = self._recent(key)
            if len(seen) >= self.limit:
                return False  # braked already: the window's oldest failure decides when it lifts
            seen.append(self._clock())
            while len(self._failures) > self._max_keys:
                del self._failures[next(iter(self._failures))]
            return len(seen) == self.limit
