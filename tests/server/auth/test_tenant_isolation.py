"""No organisation reaches another's objects: every id-taking endpoint, every role, on both backends.

The endpoint list is read from the app's URL map, so an endpoint added later is covered
without editing this test; an id parameter this test cannot fill makes it fail loudly.
"""

import re

import pytest

from server.models import Role

ROLES = [r.value for r in Role]
# Valid bodies, so the matrix exercises the access check and not input validation.
BODIES = {("POST", "/api/v1/sites/<int:site_id>/docks"): {"name": "D9", "equipment": "pallet_dock"}}
BODIES.update({  # the marketplace's write endpoints
    ("POST", "/api/v1/loads/<int:load_id>/tenders"): {"mode": "grab", "price": 100},
    ("POST", "/api/v1/tenders/<int:tender_id>/bids"): {"price": 100},
    ("POST", "/api/v1/loads/<int:load_id>/assignment"): {"vehicle_id": 1, "driver_id": 1},
})
BODIES.update({  # the yard's write endpoints
    ("POST", "/api/v1/loads/<int:load_id>/appointment"): {"dock_id": 1, "start": "2030-06-03T08:00:00+00:00"},
    ("POST", "/api/v1/loads/<int:load_id>/eta"): {"eta": "2030-06-03T08:00:00+00:00"},
    ("POST", "/api/v1/sites/<int:site_id>/schedule"): {"day": "2030-06-03"},
    ("POST", "/api/v1/yard/visits/<int:visit_id>/transition"): {"to": "loading"},
    ("POST", "/api/v1/sites/<int:site_id>/gate/scan"): {"plate": "DU-AB 123"},
    ("POST", "/api/v1/sites/<int:site_id>/gate/checkin"): {"token": "a.b.c", "plate": "DU-AB 123"},
    ("PATCH", "/api/v1/sites/<int:site_id>/booking-rules"): {"lead_minutes": 5},
})
BODIES.update({  # multi-drop stops
    ("POST", "/api/v1/loads/<int:load_id>/stops/<int:stop_id>/pod"): {"signed_by": "x",
                                                                                  "received_quantity": 1},
})
BODIES.update({  # settlement's write endpoints
    ("POST", "/api/v1/freight-bills/<int:bill_id>/payments"): {"amount": "1.00", "currency": "EUR", "reference": "P"},
    ("POST", "/api/v1/freight-bills/<int:bill_id>/disputes"): {"line_no": 1, "reason": "x", "claimed_amount": "1.00"},
    ("POST", "/api/v1/disputes/<int:dispute_id>/comments"): {"text": "x"},
    ("POST", "/api/v1/disputes/<int:dispute_id>/resolve"): {"outcome": "accept"},
    ("POST", "/api/v1/statements/<int:statement_id>/differences"): {"text": "x"},
})

BODIES.update({  # departments and inspection
    ("POST", "/api/v1/departments/<int:department_id>/members"): {"user_id": 1},
    ("POST", "/api/v1/departments/<int:department_id>/objects"): {"object_type": "order", "object_id": 1},
    ("PUT", "/api/v1/departments/<int:department_id>/roles"): {"user_id": 1, "roles": ["viewer"]},
    ("POST", "/api/v1/loads/<int:load_id>/inspectors"): {"inspector_org_id": 1},
})


@pytest.fixture
def victim(client, trade, make_party):
    """A seller with one object of every kind, and an order to its buyer."""
    seller = trade["seller"]
    h = seller.headers
    dock = client.post(f"/api/v1/sites/{trade['plant']['id']}/docks", headers=h,
                       json={"name": "D1", "equipment": "pallet_dock"}).get_json()
    vtype = client.post("/api/v1/vehicle-types", headers=h, json={
        "name": "Secret truck", "max_weight_kg": 1, "max_volume_m3": 1, "pallet_positions": 1}).get_json()
    vehicle = client.post("/api/v1/vehicles", headers=h, json={"vehicle_type_id": vtype["id"], "plate": "SECRET-1"}).get_json()
    driver = client.post("/api/v1/drivers", headers=h, json={"name": "Secret driver"}).get_json()
    token = client.post("/api/v1/tokens", headers=h, json={"name": "secret-erp", "roles": ["viewer"]}).get_json()
    order = client.post("/api/v1/orders", headers=h, json={**trade["order"], "reference": "SECRET-REF"}).get_json()
    plan = client.post("/api/v1/load-plans", headers=h, json={"order_ids": [order["id"]], "time_limit_s": 1}).get_json()
    market = _market_victim(client, trade, make_party)
    from tests.server.notify.notify_factory import notify_victim

    market.update(notify_victim(client, seller))  # before the job below: requests end the test's session
    from tests.server.settlement.settlement_victim import settlement_victim

    market.update(settlement_victim(client, trade, make_party("carrier")))
    from tests.server.tracking.tracking_factory import tracking_victim

    market.update(tracking_victim(client, seller, market["load_id"]))
    from tests.server.tracking.pairing_factory import pairing_victim

    market.update(pairing_victim(market["carrier_id"]))
    from server.jobs.runner import submit

    job = submit("test.noop", seller.id, {}, time_limit_s=1) if "test.noop" in _handlers() else None
    market.update(_yard_victim(market["load_id"], trade["plant"]["id"]))
    market["stop_id"] = _stop_victim(market["load_id"], trade)
    from tests.server.access.access_factory import access_victim

    market.update(access_victim(seller.id, seller.user.id, market["awarded_load_id"]))
    return {**market, "job_id": job.id if job else 999_999, "plan_id": plan["id"], "order_id": order["id"],
            "relationship_id": trade["relationship_id"],
            "site_id": trade["plant"]["id"], "dock_id": dock["id"],
            "user_id": seller.user.id, "token_id": token["id"],
            "vehicle-types": vtype["id"], "vehicles": vehicle["id"], "drivers": driver["id"]}


def _market_victim(client, trade, make_party) -> dict:
    """The seller's private tender on one load, and a second load awarded to its carrier and authorized."""
    from tests.server.market.market_factory import make_driver, make_load, make_truck

    seller, buyer, carrier = trade["seller"], trade["buyer"], make_party("carrier")
    truck, driver = make_truck(carrier.id, plate="SECRET-9"), make_driver(carrier.id, name="Secret carrier driver")

    def load(ref):
        return make_load(seller.id, buyer.id, _Site(trade["plant"]["id"]), _Site(trade["yard"]["id"]), reference=ref)

    tendered, awarded = load("SECRET-LOAD-1"), load("SECRET-LOAD-2")
    tender = client.post(f"/api/v1/loads/{tendered.id}/tenders", headers=seller.headers, json={
        "mode": "grab", "price": 100, "private": True, "preferred_carrier_ids": [carrier.id]}).get_json()
    board = client.post(f"/api/v1/loads/{awarded.id}/tenders", headers=seller.headers,
                        json={"mode": "grab", "price": 100, "radius_km": 0}).get_json()
    award = client.post(f"/api/v1/tenders/{board['id']}/grab", headers=carrier.headers).get_json()
    client.post(f"/api/v1/loads/{awarded.id}/assignment", headers=carrier.headers,
                json={"vehicle_id": truck.id, "driver_id": driver.id})
    authorization = client.post(f"/api/v1/loads/{awarded.id}/pickup-authorizations", headers=buyer.headers,
                                json={}).get_json()
    return {"load_id": tendered.id, "tender_id": tender["id"], "award_id": award["id"],
            "authorization_id": authorization["id"], "carrier_id": carrier.id, "awarded_load_id": awarded.id,
            "carrier_driver_id": driver.id, "carrier_truck_id": truck.id}


def _yard_victim(load_id: int, site_id: int) -> dict:
    """A yard visit of the victim's load and a photo in its evidence."""
    from tests.server.yard.yard_factory import yard_victim

    return yard_victim(load_id, site_id)


def _stop_victim(load_id: int, trade) -> int:
    """A delivery stop of the victim's load (as a multi-drop load has)."""
    from datetime import UTC, datetime, timedelta

    from server.extensions import db
    from server.models import LoadStop

    now = datetime.now(UTC)
    stop = LoadStop(load_id=load_id, seq=2, kind="delivery", site_id=trade["yard"]["id"],
                    buyer_org_id=trade["buyer"].id, earliest=now, latest=now + timedelta(hours=8), weight_kg=1,
                    pallets=1)
    db.session.add(stop)
    db.session.commit()
    return stop.id


class _Site:
    def __init__(self, site_id):
        self.id = site_id


def _handlers():
    from server.jobs.registry import HANDLERS, job_kind

    if "test.noop" not in HANDLERS:
        job_kind("test.noop")(lambda params, limits: {})
    return HANDLERS


def _id_endpoints(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or "<" not in rule.rule:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def _fill(rule: str, ids: dict) -> str:
    def replace(match):
        name = match.group(1)
        if name == "row_id":  # generic CRUD: the resource is the path segment before the id
            name = rule.split("/")[3]
        if name not in ids:
            raise AssertionError(f"tenant matrix cannot fill <{name}> in {rule}: add it to the victim fixture")
        return str(ids[name])

    return re.sub(r"<(?:int:)?(\w+)>", replace, rule)


def _with_custom_role(attacker):
    """The attacker's own custom role, holding every permission of the catalogue."""
    from server.auth.permissions import PERMISSIONS
    from server.extensions import db
    from server.models import CustomRole

    db.session.add(CustomRole(organisation_id=attacker.id, name="everything", permissions=sorted(PERMISSIONS)))
    db.session.commit()
    return attacker


@pytest.mark.parametrize("attacker_kind", ["seller", "buyer", "carrier", "inspector"])
def test_foreign_objects_are_unreachable_for_every_role(client, make_party, victim, attacker_kind, ctx):
    """Each role (built-in and custom) of an unrelated organisation gets 403 or 404 on every id endpoint, and no data."""
    endpoints = list(_id_endpoints(ctx))
    assert len(endpoints) >= 15
    for role in [*ROLES, "everything"]:
        attacker = make_party(attacker_kind, roles=(role,))
        if role == "everything":
            _with_custom_role(attacker)
        for method, rule in endpoints:
            url = _fill(rule, victim)
            body = BODIES.get((method, rule), {})
            r = client.open(url, method=method, headers=attacker.headers, json=body)
            assert r.status_code in (403, 404), (role, method, url, r.status_code, r.get_data(as_text=True)[:200])
            body = r.get_data(as_text=True)
            assert "SECRET" not in body and "Secret" not in body, (role, method, url)


def test_market_lists_never_include_foreign_rows(client, make_party, victim):
    """Unrelated sellers, buyers and carriers list no load, tender, award or authorization of the victim's."""
    for kind in ("seller", "buyer", "carrier"):
        stranger = make_party(kind, roles=("admin", "dispatcher"))
        for path in ("/api/v1/loads", "/api/v1/tenders", "/api/v1/tenders?status=open", "/api/v1/awards",
                     "/api/v1/pickup-authorizations"):
            r = client.get(path, headers=stranger.headers)
            assert r.status_code == 200 and r.get_json()["items"] == [], (kind, path)


def test_lists_never_include_foreign_rows(client, make_party, victim):
    """Every list endpoint of an unrelated organisation is empty of the victim's rows."""
    stranger = make_party("seller", roles=("admin", "dispatcher"))
    for path in ("/api/v1/orders", "/api/v1/sites", "/api/v1/vehicles", "/api/v1/vehicle-types",
                 "/api/v1/drivers", "/api/v1/users", "/api/v1/tokens"):
        body = client.get(path, headers=stranger.headers).get_data(as_text=True)
        assert "SECRET" not in body and "Secret" not in body, path


def _driver_login(carrier_id: int, driver_id: int | None = None, name: str = "Other driver"):
    """A user whose only role is driver, linked to ``driver_id`` (or to a new driver row of the carrier)."""
    import uuid

    from server.auth.principal import issue_token
    from server.extensions import db
    from server.models import Driver, User

    user = User(organisation_id=carrier_id, email=f"{uuid.uuid4().hex[:8]}@driver.test", name=name,
                password_hash="x", roles=["driver"])
    db.session.add(user)
    db.session.flush()
    driver = db.session.get(Driver, driver_id) if driver_id else Driver(organisation_id=carrier_id, name=name)
    driver.user_id = user.id
    db.session.add(driver)
    token, _ = issue_token(carrier_id, "driver app", ["driver"], user_id=user.id, kind="session")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


# A driver sees the carrier's load board like its dispatchers (the driver app has a board screen), and its
# own carrier's scorecard; everything about a load is theirs only when they drive it.
DRIVER_MAY_SEE = {("GET", "/api/v1/tenders/<int:tender_id>"), ("GET", "/api/v1/tenders/<int:tender_id>/bids"),
                  ("GET", "/api/v1/carriers/<int:carrier_id>/scorecard")}


def test_another_driver_of_the_same_carrier_reaches_nothing_of_the_load(client, victim, ctx):
    """A driver of the awarded carrier who does not drive the load gets 403/404 on every id endpoint of it
    (load, pickup authorization and its QR, award, orders, evidence, visit, tracking), while the
    assigned driver reads it and its QR."""
    other = _driver_login(victim["carrier_id"])
    ids = {**victim, "load_id": victim["awarded_load_id"],
           **_yard_victim(victim["awarded_load_id"], victim["site_id"]),
           "vehicles": victim["carrier_truck_id"], "drivers": victim["carrier_driver_id"]}
    for method, rule in _id_endpoints(ctx):
        if (method, rule) in DRIVER_MAY_SEE:
            continue
        url = _fill(rule, ids)
        r = client.open(url, method=method, headers=other, json=BODIES.get((method, rule), {}))
        assert r.status_code in (403, 404), (method, url, r.status_code, r.get_data(as_text=True)[:200])
        assert "SECRET" not in r.get_data(as_text=True) and "Secret" not in r.get_data(as_text=True), (method, url)
    for path in ("/api/v1/loads", "/api/v1/pickup-authorizations", "/api/v1/awards", "/api/v1/orders",
                 "/api/v1/driver/assignments", "/api/v1/vehicles", "/api/v1/drivers", "/api/v1/organisations"):
        body = client.get(path, headers=other).get_data(as_text=True)
        assert "SECRET" not in body and "Secret" not in body, path
    assigned = _driver_login(victim["carrier_id"], victim["carrier_driver_id"])
    load = victim["awarded_load_id"]
    assert client.get(f"/api/v1/loads/{load}", headers=assigned).get_json()["reference"] == "SECRET-LOAD-2"
    qr = client.get(f"/api/v1/pickup-authorizations/{victim['authorization_id']}/qr.svg", headers=assigned)
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert [a["id"] for a in client.get("/api/v1/awards", headers=assigned).get_json()["items"]] == [
        victim["award_id"]]


def test_a_drivers_socket_follows_only_its_own_loads(client, victim, ctx):
    """A driver-only socket is not put in the carrier's room and may not join another driver's load room."""
    from server.extensions import socketio
    from server.realtime import emit_to_orgs

    token = _driver_login(victim["carrier_id"])["Authorization"].split()[1]
    sock = socketio.test_client(ctx, auth={"token": token})
    assert sock.is_connected()
    emit_to_orgs("event", {"kind": "position of every truck"}, [victim["carrier_id"]])
    assert sock.get_received() == []
    assert sock.emit("join", {"load_id": victim["awarded_load_id"]}, callback=True) == {"ok": False,
                                                                                       "error": "forbidden"}
    sock.disconnect()


def test_a_two_buyer_load_shows_each_buyer_its_own_stop_and_strangers_nothing(client, trade, make_party, ctx):
    """A multi-drop load carries buyer A's and buyer B's goods: each reaches the load and its own stop,
    neither reaches the other's stop or proof, and an unrelated buyer reaches nothing of it."""
    from server.extensions import db
    from server.models import LoadStop
    from tests.server.stops.multi_drop_factory import two_buyer_load

    multi = two_buyer_load(client, trade, make_party)
    load_id = multi["load_id"]
    stops = {s.buyer_org_id: s.id for s in db.session.query(LoadStop).filter_by(load_id=load_id, kind="delivery")}
    for own, other in ((multi["buyer_a"], multi["buyer_b"]), (multi["buyer_b"], multi["buyer_a"])):
        assert client.get(f"/api/v1/loads/{load_id}", headers=own.headers).status_code == 200
        listed = client.get(f"/api/v1/loads/{load_id}/stops", headers=own.headers).get_json()
        assert stops[other.id] not in [s["id"] for s in listed] and stops[own.id] in [s["id"] for s in listed]
        foreign = f"/api/v1/loads/{load_id}/stops/{stops[other.id]}/pod"
        assert client.get(foreign, headers=own.headers).status_code == 404
        assert client.post(foreign, headers=own.headers, json={"signed_by": "x", "received_quantity": 1}
                           ).status_code == 404
        body = client.get(f"/api/v1/loads/{load_id}", headers=own.headers).get_data(as_text=True)
        assert f"SKU-SO-{'B' if own is multi['buyer_a'] else 'A'}" not in body
    stranger = make_party("buyer")
    ids = {"load_id": load_id, "stop_id": stops[multi["buyer_b"].id]}
    for method, rule in _id_endpoints(ctx):
        if set(re.findall(r"<(?:int:)?(\w+)>", rule)) <= set(ids):
            r = client.open(_fill(rule, ids), method=method, headers=stranger.headers,
                            json=BODIES.get((method, rule), {}))
            assert r.status_code in (403, 404), (method, rule, r.status_code)
