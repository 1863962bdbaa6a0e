"""Fixtures for the tracking tests: a fresh HTTP ingest pipeline and fresh brakes per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_http_ingest(request):
    """Each test gets a new HTTP pipeline (its per-vehicle memory must not see reused ids) and new brakes."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is not None:
        app.extensions.pop("haul_position_brakes", None)
    ingest = app.extensions.pop("haul_http_ingest", None) if app is not None else None
    if ingest is not None:
        ingest.runtime.recorder.stop()
        ingest.runtime.sockets.stop()
