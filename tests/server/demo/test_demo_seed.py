"""The demo seed's driver logins (server/seed.py), which the demo's simulated drivers sign in with."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Driver, User
from server.seed import DEMO_PASSWORD, driver_login, seed_demo


def test_each_carrier_driver_gets_a_linked_driver_login_once(ctx, client):
    """Seeding twice makes eight driver logins once, each linked to its driver and able to sign in."""
    first = seed_demo()
    again = seed_demo()
    assert first.created["driver logins"] == 8
    assert "driver logins" not in again.created
    users = db.session.scalars(select(User).where(User.email.like("driver%@%.demo"))).all()
    assert len(users) == 8 and all(u.roles == ["driver"] for u in users)
    linked = {d.user_id for d in db.session.scalars(select(Driver))}
    assert {u.id for u in users} <= linked
    answer = client.post("/api/v1/auth/token", json={"email": driver_login("dispatch@weber.demo", 2),
                                                     "password": DEMO_PASSWORD})
    assert answer.status_code == 201 and answer.json["user"]["roles"] == ["driver"]
