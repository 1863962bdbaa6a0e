"""Fixtures for ingest integration tests: a carrier with vehicles, a private PostGIS database that
tests may block, and a private Mosquitto."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from tests.gps_ingest.integration.ingest_helpers import create_migrated_database, psql


@pytest.fixture(scope="module")
def ingest_db():
    """A private, migrated PostGIS database (name, URL, engine) that a test may block and unblock."""
    name, url = create_migrated_database()
    engine = create_engine(url, pool_pre_ping=True)
    yield name, url, engine
    engine.dispose()
    psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def broker(tmp_path):
    """A private Mosquitto with persistence, on a free port."""
    from server.broker.mosquitto import MosquittoProcess

    process = MosquittoProcess(tmp_path / "mosquitto").start()
    yield process
    process.stop()
