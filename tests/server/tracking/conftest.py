"""Fixtures for ingest integration tests: a carrier with vehicles and device credentials."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def device(ctx):
    """Bind a device credential (username) to a vehicle."""
    from werkzeug.security import generate_password_hash

    from server.extensions import db
    from server.models import DeviceCredential, Vehicle

    def make(vehicle_id: int, username: str | None = None, secret: str = "s3cret-device"):
        vehicle = db.session.get(Vehicle, vehicle_id)
        cred = DeviceCredential(organisation_id=vehicle.organisation_id, vehicle_id=vehicle_id,
                                username=username or f"dev-{uuid.uuid4().hex[:8]}",
                                secret_hash=generate_password_hash(secret, method="pbkdf2:sha256:1000"))
        db.session.add(cred)
        db.session.commit()
        return cred

    return make


@pytest.fixture(autouse=True)
def fresh_http_ingest(request):
    """Each test gets a new OsmAnd pipeline: its per-vehicle memory must not see reused ids."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    ingest = app.extensions.pop("haul_http_ingest", None) if app is not None else None
    if ingest is not None:
        ingest.runtime.recorder.stop()
        ingest.runtime.sockets.stop()
