"""The database resolver on both real backends: live logins on active trucks only, OwnTracks by user and device."""

from __future__ import annotations

import time

from gps_ingest.db_seams import DbResolver


def _login(vehicle_id, username, owntracks_device=None):
    from server.extensions import db
    from server.models import Vehicle
    from server.tracking import devices

    vehicle = db.session.get(Vehicle, vehicle_id)
    _, login = devices.create_credential(vehicle.organisation_id, vehicle_id, None, username)
    login.owntracks_device = owntracks_device
    db.session.commit()
    return login


def test_owntracks_user_and_device_name_the_vehicle(ctx, fleet):
    """owntracks/<user>/<device> resolves to the login that names that device; other devices of the user do not."""
    from server.extensions import db

    _, (v1, v2) = fleet(2)
    _login(v1, "jan", "phone")
    _login(v2, "jan-van", "phone")
    _login(v2, "no-owntracks")
    resolver = DbResolver(db.engine)
    assert resolver.resolve("owntracks", "jan/phone") == str(v1)
    assert resolver.resolve("owntracks", "jan-van/phone") == str(v2)
    assert resolver.resolve("owntracks", "jan/tablet") is None
    assert resolver.resolve("owntracks", "no-owntracks/phone") is None
    assert resolver.resolve("device", "jan") == str(v1)
    assert resolver.resolve("osmand", "jan") is None  # usernames are no HTTP ids: the server authenticates those


def test_revoked_logins_and_inactive_trucks_stop_resolving_within_the_ttl(ctx, fleet):
    """With a 1 s TTL (the HTTP endpoint's), a revoked login or a deactivated truck resolves to nothing within ~1 s."""
    from server.extensions import db
    from server.models import Vehicle
    from server.tracking import devices

    _, (v1, v2) = fleet(2)
    revoked = _login(v1, "gone", "phone")
    _login(v2, "parked", "phone")
    resolver = DbResolver(db.engine, ttl_s=1.0)
    assert resolver.resolve("device", "gone") == str(v1) and resolver.resolve("owntracks", "parked/phone") == str(v2)
    devices.revoke(db.session.get(type(revoked), revoked.id))
    db.session.get(Vehicle, v2).active = False
    db.session.commit()
    time.sleep(1.1)
    assert resolver.resolve("device", "gone") is None
    assert resolver.resolve("device", "parked") is None and resolver.resolve("owntracks", "parked/phone") is None
