"""Shared fixtures: the app on each real backend, clean tables per test, and named parties.

``app`` is parametrised over SQLite + SpatiaLite and PostgreSQL + PostGIS, so every test
that uses it runs on both. The schema comes from the real migrations, once per backend.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from werkzeug.security import generate_password_hash

# Property tests check behaviour, never speed: no per-example deadline (a busy machine would fail them).
hypothesis_settings.register_profile("haul", deadline=None)
hypothesis_settings.load_profile("haul")

TEST_PASSWORD = "correct-horse-battery"
_TEST_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)  # hashing is slow on purpose; do it once
# What a browser adds to a dashboard's own fetch: cookie-authenticated state changes need it (or a CSRF token).
SAME_SITE = {"Origin": "http://localhost"}
PG_BASE = os.environ.get("HAUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                   check=True, capture_output=True)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def app(request, tmp_path_factory):
    from server.app import create_app
    from server.db.migrate import upgrade_to_head
    from server.extensions import db

    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'test.db'}"
    else:
        name = f"haul_test_{uuid.uuid4().hex[:8]}"
        _psql(f"CREATE DATABASE {name}")
        url = f"{PG_BASE}/{name}"
    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "HAUL_INSTANCE_DIR": str(instance),
                              "TESTING": True, "MAX_CONTENT_LENGTH": 256 * 1024})
    with application.app_context():
        upgrade_to_head()
    application.config["BACKEND"] = request.param
    yield application
    with application.app_context():
        db.engine.dispose()
    if request.param == "postgis":
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _wipe(application) -> None:
    from server.extensions import db

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    # DELETE beats TRUNCATE on tables this small: TRUNCATE rewrites files and takes ~1 s for all.
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def ctx(app):
    """An app context on clean tables."""
    from server.extensions import db
    from server.market import outcomes
    from server.market.audience import audience_cache

    outcomes.flush()  # the last test's market notices must not land in this test's fresh rows
    with app.app_context():
        _wipe(app)
        audience_cache.clear()  # audiences name carriers of the wiped rows
        app.extensions.pop("haul_brakes", None)  # sign-in failures of earlier tests brake nobody here
        yield app
        db.session.remove()


@pytest.fixture
def client(ctx):
    return ctx.test_client()


def _detached(row):
    """A loaded copy that outlives the session (each request ends the session)."""
    from server.extensions import db

    db.session.refresh(row)
    db.session.expunge(row)
    return row


class Party:
    """An organisation with a user, a bearer token per role set, and helpers for its requests."""

    def __init__(self, org, user, token: str):
        self.org, self.user, self.token = org, user, token

    @property
    def id(self) -> int:
        return self.org.id

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_party(ctx):
    """Create an organisation of a kind with a user holding the given roles and a bearer token."""
    from server.auth.principal import issue_token
    from server.extensions import db
    from server.models import Organisation, User

    def make(kind: str, roles=("admin", "dispatcher"), name: str | None = None) -> Party:
        org = Organisation(name=name or f"{kind}-{uuid.uuid4().hex[:6]}", kind=kind, settings={})
        db.session.add(org)
        db.session.flush()
        user = User(organisation_id=org.id, email=f"{uuid.uuid4().hex[:8]}@{kind}.test", name=f"{kind} user",
                    password_hash=_TEST_PASSWORD_HASH, roles=list(roles))
        db.session.add(user)
        db.session.flush()
        token, _ = issue_token(org.id, "test", list(roles), user_id=user.id, kind="session")
        db.session.commit()
        return Party(_detached(org), _detached(user), token)

    return make


@pytest.fixture
def operator(make_party) -> dict:
    """Headers of a platform admin: /metrics answers operators only."""
    return make_party("platform", roles=("admin",)).headers


def hours_from_now(h: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=h)).isoformat()


def accept_trading(seller_id: int, buyer_id: int):
    """An accepted trading relationship between a seller and a buyer, as the buyer's acceptance leaves it."""
    from server.extensions import db
    from server.models import TradingRelationship

    now = datetime.now(UTC)
    row = TradingRelationship(seller_org_id=seller_id, buyer_org_id=buyer_id, status="accepted", message="",
                              requested_at=now, decided_at=now)
    db.session.add(row)
    db.session.commit()
    return row.id


@pytest.fixture
def trade(make_party, client):
    """A seller with a plant, a buyer with a yard who accepted the seller as a trading partner, and a valid
    order body between them."""
    seller, buyer = make_party("seller"), make_party("buyer")
    relationship_id = accept_trading(seller.id, buyer.id)
    plant = client.post("/api/v1/sites", headers=seller.headers, json={
        "name": "Plant", "location": {"lat": 51.43, "lon": 6.76}}).get_json()
    yard = client.post("/api/v1/sites", headers=buyer.headers, json={
        "name": "Yard", "kind": "customer", "location": {"lat": 50.94, "lon": 6.96}}).get_json()
    body = {
        "reference": "SO-1", "buyer_id": buyer.id, "pickup_site_id": plant["id"], "delivery_site_id": yard["id"],
        "pickup_window": {"earliest": hours_from_now(1), "latest": hours_from_now(5)},
        "delivery_window": {"earliest": hours_from_now(4), "latest": hours_from_now(30)},
        "lines": [{"sku": "CEM", "quantity": 40, "unit_weight_kg": 1000, "unit_volume_m3": 0.7,
                   "unit_pallets": 1, "splittable": True}],
    }
    return {"seller": seller, "buyer": buyer, "plant": plant, "yard": yard, "order": body,
            "relationship_id": relationship_id}


@pytest.fixture
def make_load(ctx):
    """Create a draft Load between a seller and a buyer (sites from the ``trade`` fixture)."""
    from server.extensions import db
    from server.models import Load

    def make(trade, carrier=None, reference="L-1", status="draft", **fields) -> Load:
        now = datetime.now(UTC)
        load = Load(seller_org_id=trade["seller"].id, buyer_org_id=trade["buyer"].id,
                    carrier_org_id=carrier.id if carrier else None, reference=reference, status=status,
                    pickup_site_id=trade["plant"]["id"], delivery_site_id=trade["yard"]["id"],
                    pickup_earliest=now + timedelta(hours=1), pickup_latest=now + timedelta(hours=5),
                    delivery_earliest=now + timedelta(hours=4), delivery_latest=now + timedelta(hours=30),
                    weight_kg=20_000, volume_m3=40, pallets=20, **fields)
        db.session.add(load)
        db.session.commit()
        return _detached(load)

    return make


@pytest.fixture
def wait_for_job(client):
    """Poll a job's status endpoint until it reaches one of ``statuses`` (fails after ``timeout``)."""
    import time

    def wait(headers: dict, job_id: int, statuses: set[str], timeout: float = 30, path: str = "/api/v1/jobs"):
        deadline = time.monotonic() + timeout
        body = None
        while time.monotonic() < deadline:
            body = client.get(f"{path}/{job_id}", headers=headers).get_json()
            if body["status"] in statuses:
                return body
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} never reached {statuses}: {body}")

    return wait


@pytest.fixture
def fleet(ctx, make_party):
    """Create a carrier with ``n`` vehicles; returns (carrier party, [vehicle ids]). Used by the ingest tests."""
    from server.extensions import db
    from server.models import Vehicle, VehicleType

    def make(n: int = 2):
        carrier = make_party("carrier")
        vtype = VehicleType(organisation_id=carrier.id, name="Tautliner", max_weight_kg=24000, max_volume_m3=90,
                            pallet_positions=33, equipment=[])
        db.session.add(vtype)
        db.session.flush()
        vehicles = [Vehicle(organisation_id=carrier.id, vehicle_type_id=vtype.id,
                            plate=f"HX-{uuid.uuid4().hex[:6]}") for _ in range(n)]
        db.session.add_all(vehicles)
        db.session.commit()
        return carrier, [v.id for v in vehicles]

    return make
