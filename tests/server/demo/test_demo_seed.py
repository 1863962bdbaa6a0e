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


def test_the_demo_buyers_accept_the_plant_once_so_its_orders_go_through(ctx, client):
    """The seed makes one accepted trading relationship per demo buyer, so the seller's ERP may order."""
    from server.models import Organisation, Site, TradingRelationship
    from server.seed import DEMO_PASSWORD

    first, again = seed_demo(), seed_demo()
    assert first.created["trading relationships"] == 2 and "trading relationships" not in again.created
    rows = [(r.id, r.buyer_org_id, r.status) for r in db.session.scalars(select(TradingRelationship))]
    assert {status for _, _, status in rows} == {"accepted"} and len(rows) == 2
    buyer = db.session.scalar(select(Organisation.id).where(Organisation.name == "BauStoff Handel Köln"))
    site_name = db.session.scalar(select(Site.name).where(Site.organisation_id == buyer))
    rel = next(rid for rid, buyer_id, _ in rows if buyer_id == buyer)
    token = client.post("/api/v1/auth/token", json={"email": "dispatch@rheinkalk.demo",
                                                    "password": DEMO_PASSWORD}).json["token"]
    seller = {"Authorization": f"Bearer {token}"}
    sites = client.get(f"/api/v1/trading-relationships/{rel}/sites", headers=seller).json
    assert [s["name"] for s in sites] == [site_name]


def test_every_seeded_order_can_be_planned_whole(ctx, client):
    """The seed's orders, its big caustic-soda order included, preview with nothing unplaced (issue 18:
    the 82 500 kg order was not splittable, so none of it was ever loaded)."""
    from server.models import Order

    seed_demo()
    token = client.post("/api/v1/auth/token", json={"email": "dispatch@rheinkalk.demo",
                                                    "password": DEMO_PASSWORD}).json["token"]
    order_ids = [o.id for o in db.session.scalars(select(Order).where(Order.reference.like("SO-%")))]
    plan = client.post("/api/v1/load-plans", headers={"Authorization": f"Bearer {token}"},
                       json={"order_ids": order_ids, "time_limit_s": 1}).json
    assert plan["plan"]["unplaced"] == [] and plan["plan"]["status"] != "partial"
