"""What Haul does with a device the ingest's garbage brake reports (`gps_ingest.device_brake`).

The brake names a device by key: ``login:<username>`` (OwnTracks, HTTP) or ``vehicle:<id>`` (a Haul
topic, which only that vehicle's devices may publish to, so the key stands for all of them).

* ``flagged`` (sustained garbage): the carrier gets an in-app ``device_flagged`` notification
  naming the logins and how many messages were braked; nothing else changes.
* ``suspended`` (garbage beyond the hard limit): the live logins behind the key are suspended
  (``suspended_at``), the carrier gets ``device_suspended``, and the broker closes their
  connections (`server.broker.sessions.cut_off`; the reconciler does it otherwise). A suspended
  login is refused like a revoked one, over MQTT and HTTP, until the carrier re-enables it
  (`reinstate`, ``POST /device-credentials/{id}/reinstate``).

The brake calls `DeviceAbuseReporter` on the ingest's processing thread; the database work runs on
a short-lived thread of its own so the pipeline never waits for it. Reports are rare (once per
device and window, in the whole cluster when the brake is in Redis).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gps_ingest.device_brake import FLAGGED, SUSPENDED
from server.broker.sessions import cut_off
from server.db.types import utcnow
from server.models import DeviceCredential
from server.notify.kinds import DEVICE_FLAGGED, DEVICE_SUSPENDED
from server.notify.publish import in_app

log = logging.getLogger(__name__)


class DeviceAbuseReporter:
    """The brake's ``on_abuse``: flags a device to its carrier, or suspends it."""

    def __init__(self, engine: Engine, management_url: str = "", background: bool = True):
        self.engine, self.management_url, self.background = engine, management_url, background

    def __call__(self, key: str, level: str, braked: int) -> None:
        if not self.background:
            self.report(key, level, braked)
            return
        threading.Thread(target=self._report_logged, args=(key, level, braked), name="device-abuse",
                         daemon=True).start()

    def _report_logged(self, key: str, level: str, braked: int) -> None:
        try:
            self.report(key, level, braked)
        except Exception:  # the database is away: the next window reports again
            log.exception("could not report device %s as %s", key, level)

    def report(self, key: str, level: str, braked: int) -> list[str]:
        """Record the report; returns the usernames it concerned (suspended ones when ``suspended``)."""
        if level not in (FLAGGED, SUSPENDED):
            raise ValueError(f"unknown level {level!r}")
        query = _credentials(key)
        if query is None:
            return []
        now = utcnow()
        with Session(self.engine) as session:
            creds = session.scalars(query.where(DeviceCredential.revoked_at.is_(None),
                                                DeviceCredential.suspended_at.is_(None))).all()
            if not creds:
                return []
            if level == SUSPENDED:
                for cred in creds:
                    cred.suspended_at = now
                    cred.suspended_reason = f"{braked} garbage messages braked in one window"
            for org_id in sorted({c.organisation_id for c in creds}):
                mine = [c for c in creds if c.organisation_id == org_id]
                in_app(session, org_id, DEVICE_SUSPENDED if level == SUSPENDED else DEVICE_FLAGGED,
                       {"device_credential_ids": [c.id for c in mine], "usernames": [c.username for c in mine],
                        "vehicle_id": mine[0].vehicle_id, "braked": braked}, now)
            session.commit()
            usernames = [c.username for c in creds]
        log.warning("device %s (%s): %s after %d braked garbage messages", key, ", ".join(usernames), level, braked)
        if level == SUSPENDED:
            cut_off(self.management_url, usernames)
        return usernames


def _credentials(key: str):
    kind, _, name = key.partition(":")
    if kind == "login" and name:
        return select(DeviceCredential).where(DeviceCredential.username == name)
    if kind == "vehicle" and name.isdigit():
        return select(DeviceCredential).where(DeviceCredential.vehicle_id == int(name))
    return None


def reinstate(cred: DeviceCredential) -> bool:
    """Lift a suspension (not committed); False when the login was not suspended."""
    if cred.suspended_at is None:
        return False
    cred.suspended_at = cred.suspended_reason = None
    return True
