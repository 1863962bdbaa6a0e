"""Which device credentials the broker may let in right now: the database is the only list.

A credential is live when it is neither revoked nor suspended, its vehicle (if it has one) is active and its
organisation is active. The broker's HTTP auth backend asks on every connect
(`server.broker.auth_routes`), and the reconciler closes connections of usernames that are not
live any more (`server.broker.sessions`), so nothing has to be copied to the broker.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from server.broker.device_access import Device
from server.models import DeviceCredential, Organisation, Vehicle


def _live():
    return (select(DeviceCredential.username, DeviceCredential.secret_hash, DeviceCredential.vehicle_id,
                   DeviceCredential.driver_id)
            .join(Organisation, Organisation.id == DeviceCredential.organisation_id)
            .outerjoin(Vehicle, Vehicle.id == DeviceCredential.vehicle_id)
            .where(DeviceCredential.revoked_at.is_(None), DeviceCredential.suspended_at.is_(None),
                   Organisation.active.is_(True),
                   or_(DeviceCredential.vehicle_id.is_(None), Vehicle.active.is_(True))))


def live_device(conn, username: str) -> tuple[Device, str] | None:
    """The live device named ``username`` and its secret hash, or None (``conn``: a connection or session)."""
    row = conn.execute(_live().where(DeviceCredential.username == username)).first()
    if row is None:
        return None
    return Device(row.username, row.vehicle_id, row.driver_id), row.secret_hash


def live_usernames(conn, usernames: Iterable[str]) -> set[str]:
    """The names among ``usernames`` that belong to live devices."""
    names = sorted(set(usernames))
    live: set[str] = set()
    for start in range(0, len(names), 500):
        live.update(conn.execute(_live().with_only_columns(DeviceCredential.username)
                                 .where(DeviceCredential.username.in_(names[start:start + 500]))).scalars())
    return live


def device_usernames(conn, vehicle_id: int) -> list[str]:
    """Every device username bound to a vehicle (revoked or not)."""
    return list(conn.execute(select(DeviceCredential.username).where(DeviceCredential.vehicle_id == vehicle_id))
                .scalars())
