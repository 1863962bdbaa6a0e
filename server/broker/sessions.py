"""Closing the broker connections of devices that lost their right to be there.

RabbitMQ checks a device's credentials when it connects (`server.broker.auth_routes`) and keeps
what it learnt for the life of the connection, so revoking a device must also close its live
connection. Two paths do that, through the management API (``HAUL_BROKER_MANAGEMENT_URL``):

* `cut_off` right after the change is committed (credentials revoked, phone unpaired, vehicle
  deactivated), in a background thread so the API answer does not wait for the broker;
* `Reconciler`, run by every ingest worker every few seconds and at its start, which compares the
  connected usernames with the database and closes the rest. It covers a change whose immediate
  cut-off failed (broker unreachable, server killed right after the commit) and every change made
  without the API (an organisation deactivated, a row edited by hand).

Service users (the ingest workers, servers) are never closed: only names that look like no live
device *and* are not RabbitMQ's own users (the ``internal`` auth backend) are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

import requests

log = logging.getLogger(__name__)

TIMEOUT_S = 3.0


class BrokerSessions:
    """RabbitMQ's management API, for what Haul needs of it."""

    def __init__(self, management_url: str):
        parts = urlsplit(management_url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}"
        self.auth = (parts.username or "", parts.password or "")

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, self.base + path, auth=self.auth, timeout=TIMEOUT_S, **kwargs)
        if response.status_code >= 400 and response.status_code != 404:
            response.raise_for_status()
        return response

    def disconnect(self, username: str) -> None:
        """Close every connection of ``username`` (its MQTT session queue stays, for a re-pairing)."""
        self._call("DELETE", f"/api/connections/username/{quote(username, safe='')}",
                   headers={"X-Reason": "credentials revoked"})

    def connected_users(self) -> set[str]:
        users = self._call("GET", "/api/connections", params={"columns": "user"}).json()
        return {c["user"] for c in users if c.get("user")}

    def internal_users(self) -> set[str]:
        """RabbitMQ's own users (service accounts), which the reconciler never touches."""
        return {u["name"] for u in self._call("GET", "/api/users").json()}


def cut_off(management_url: str, usernames: Iterable[str]) -> threading.Thread | None:
    """Close ``usernames``' connections in the background (best effort: the reconciler retries)."""
    names = sorted(set(usernames))
    if not management_url or not names:
        return None

    def run() -> None:
        sessions = BrokerSessions(management_url)
        for name in names:
            try:
                sessions.disconnect(name)
            except requests.RequestException as exc:
                log.warning("could not close the broker connections of %s (%s); the reconciler will", name, exc)

    thread = threading.Thread(target=run, name="broker-cut-off", daemon=True)
    thread.start()
    return thread


class Reconciler:
    """Closes connections of usernames that are neither live devices nor service users."""

    def __init__(self, management_url: str, engine, every_s: float = 3.0):
        self.sessions = BrokerSessions(management_url)
        self.engine = engine
        self.every_s = every_s
        self._next = 0.0
        self._service: set[str] = set()
        self._service_at = -1e18

    def maybe_run(self) -> list[str]:
        now = time.monotonic()
        if now < self._next:
            return []
        self._next = now + self.every_s
        try:
            return self.run()
        except Exception as exc:  # the broker or the database is away: next time
            log.warning("broker reconciliation failed: %s", exc)
            return []

    def run(self) -> list[str]:
        from server.broker.live_devices import live_usernames

        if time.monotonic() - self._service_at > 60:
            self._service, self._service_at = self.sessions.internal_users(), time.monotonic()
        connected = self.sessions.connected_users() - self._service
        if not connected:
            return []
        with self.engine.connect() as conn:
            stale = sorted(connected - live_usernames(conn, connected))
        for name in stale:
            log.info("closing the broker connections of %s: no longer a live device", name)
            self.sessions.disconnect(name)
        return stale
