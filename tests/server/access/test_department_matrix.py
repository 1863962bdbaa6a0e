"""Across departments: with narrowing on, a member of one department reaches no order, load or site of another;
and a role held in one department changes nothing of another's, narrowed or not.

Every endpoint whose ids are only orders, loads, sites (and a site's docks) is walked by a dispatcher of the
same organisation who belongs to another department: 403 or 404, and no data; then by someone who is a viewer
organisation-wide and a dispatcher and dock manager only in that other department. Read from the URL map, so
an endpoint added later is walked too.
"""

import re

from tests.server.access.access_factory import member
from tests.server.market.market_factory import make_load

WALKED = {"order_id", "load_id", "site_id", "dock_id"}


def _endpoints(app):
    for rule in app.url_map.iter_rules():
        names = set(re.findall(r"<(?:int:)?(\w+)>", rule.rule))
        if rule.rule.startswith("/api/v1/") and names and names <= WALKED:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule, getattr(app.view_functions[rule.endpoint], "required_permission", None)


class _Site:
    def __init__(self, site_id):
        self.id = site_id


def _secret_objects(client, trade):
    """The seller's South department holding a site with a dock, an order and a load; and an empty North."""
    seller = trade["seller"]
    h = seller.headers
    ids = {}
    south = client.post("/api/v1/departments", headers=h, json={"name": "South"}).get_json()
    north = client.post("/api/v1/departments", headers=h, json={"name": "North"}).get_json()
    plant = client.post("/api/v1/sites", headers=h, json={"name": "SECRET plant",
                                                          "location": {"lat": 48.1, "lon": 11.5}}).get_json()
    ids["site_id"] = plant["id"]
    ids["dock_id"] = client.post(f"/api/v1/sites/{plant['id']}/docks", headers=h,
                                 json={"name": "SECRET dock", "equipment": "pallet_dock"}).get_json()["id"]
    ids["order_id"] = client.post("/api/v1/orders", headers=h, json={**trade["order"], "reference": "SECRET-O",
                                                                     "pickup_site_id": plant["id"]}).get_json()["id"]
    ids["load_id"] = make_load(seller.id, trade["buyer"].id, _Site(plant["id"]), _Site(trade["yard"]["id"]),
                               reference="SECRET-L").id
    for kind in ("site", "order", "load"):
        r = client.post(f"/api/v1/departments/{south['id']}/objects", headers=h,
                        json={"object_type": kind, "object_id": ids[f"{kind}_id"]})
        assert r.status_code == 204, r.get_json()
    return ids, north


def _walk(app, client, ids, caller, writes_only=False):
    """(method, url, status, body) of each answer that reaches another department's object. ``writes_only``: the
    changes that ask for a permission (those that ask none follow visibility alone, which roles do not touch)."""
    from tests.server.auth.test_tenant_isolation import BODIES

    walked = list(_endpoints(app))
    assert len(walked) >= 20
    leaks = []
    for method, rule, permission in walked:
        if writes_only and (method == "GET" or permission is None):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
        r = client.open(url, method=method, headers=caller.headers, json=BODIES.get((method, rule), {}))
        body = r.get_data(as_text=True)
        if r.status_code not in (403, 404) or (not writes_only and "SECRET" in body):
            leaks.append((method, url, r.status_code, body[:120]))
    return leaks


def test_another_departments_objects_are_unreachable(app, client, trade, ctx):
    """0 leaks: every order/load/site endpoint answers 403 or 404 to a member of another department."""
    seller = trade["seller"]
    h = seller.headers
    ids, north = _secret_objects(client, trade)
    desk = member(seller, ["dispatcher"], name="north-desk")
    client.post(f"/api/v1/departments/{north['id']}/members", headers=h, json={"user_id": desk.user.id})
    client.put("/api/v1/departments/narrowing", headers=h, json={"narrow": True})
    assert _walk(app, client, ids, desk) == []
    for path in ("/api/v1/orders", "/api/v1/loads", "/api/v1/sites"):
        assert "SECRET" not in client.get(path, headers=desk.headers).get_data(as_text=True), path
    assert "SECRET" in client.get("/api/v1/orders", headers=h).get_data(as_text=True)  # the admin still sees all


def test_a_role_held_in_one_department_acts_on_no_other(app, client, trade, ctx):
    """0 leaks: a viewer who is dispatcher and dock manager in North changes nothing of South (403 or 404), and
    sees nothing of it once narrowed."""
    seller = trade["seller"]
    h = seller.headers
    ids, north = _secret_objects(client, trade)
    desk = member(seller, ["viewer"], name="north-role")
    r = client.put(f"/api/v1/departments/{north['id']}/roles", headers=h,
                   json={"user_id": desk.user.id, "roles": ["dispatcher", "dock_manager"]})
    assert r.status_code == 200, r.get_json()
    assert _walk(app, client, ids, desk, writes_only=True) == []  # South's share is in sight, not in reach
    client.put("/api/v1/departments/narrowing", headers=h, json={"narrow": True})
    assert _walk(app, client, ids, desk) == []
