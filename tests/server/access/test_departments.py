"""Departments: a tree per organisation (no cycles), members, and narrowing inside what scoping allows."""

from tests.server.access.access_factory import member


def _department(client, admin, name, parent_id=None):
    r = client.post("/api/v1/departments", headers=admin.headers, json={"name": name, "parent_id": parent_id})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_cycles_in_the_tree_are_refused(client, make_party):
    """Moving a department under itself or a descendant is 422 at parent_id; a sound move works."""
    admin = make_party("seller", roles=("admin",))
    sales = _department(client, admin, "Sales")
    north = _department(client, admin, "North", sales["id"])
    east = _department(client, admin, "North-East", north["id"])
    for parent in (sales["id"], east["id"]):
        r = client.patch(f"/api/v1/departments/{sales['id']}", headers=admin.headers, json={"parent_id": parent})
        assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "parent_id"
    r = client.patch(f"/api/v1/departments/{east['id']}", headers=admin.headers, json={"parent_id": sales["id"]})
    assert r.status_code == 200 and r.get_json()["parent_id"] == sales["id"]


def test_another_organisations_department_is_no_parent(client, make_party):
    """A parent from another organisation is a 422; its departments are 404 to us."""
    one, other = make_party("seller", roles=("admin",)), make_party("seller", roles=("admin",))
    theirs = _department(client, other, "Theirs")
    r = client.post("/api/v1/departments", headers=one.headers, json={"name": "Mine", "parent_id": theirs["id"]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "parent_id"
    assert client.patch(f"/api/v1/departments/{theirs['id']}", headers=one.headers,
                        json={"name": "x"}).status_code == 404


def test_members_see_their_departments_share_once_narrowed(client, trade):
    """A regional desk sees its region's (and sub-regions') orders and unfiled ones, not another region's."""
    seller = trade["seller"]
    north = _department(client, seller, "North")
    east = _department(client, seller, "North-East", north["id"])
    south = _department(client, seller, "South")
    orders = {}
    for ref, dept in (("EAST", east), ("SOUTH", south), ("NONE", None)):
        made = client.post("/api/v1/orders", headers=seller.headers, json={**trade["order"], "reference": ref})
        assert made.status_code == 201, made.get_json()
        orders[ref] = made.get_json()["id"]
        if dept:
            r = client.post(f"/api/v1/departments/{dept['id']}/objects", headers=seller.headers,
                            json={"object_type": "order", "object_id": orders[ref]})
            assert r.status_code == 204
    desk = member(seller, ["dispatcher"], name="desk")
    client.post(f"/api/v1/departments/{north['id']}/members", headers=seller.headers, json={"user_id": desk.user.id})

    def seen(party):
        return {o["reference"] for o in client.get("/api/v1/orders", headers=party.headers).get_json()["items"]}

    assert seen(desk) == {"EAST", "SOUTH", "NONE"}  # not narrowed until the organisation asks
    assert client.put("/api/v1/departments/narrowing", headers=seller.headers, json={"narrow": True}).status_code == 200
    assert seen(desk) == {"EAST", "NONE"}
    assert client.get(f"/api/v1/orders/{orders['SOUTH']}", headers=desk.headers).status_code == 404
    assert seen(seller) == {"EAST", "SOUTH", "NONE"}  # the admin manages departments: the whole share
    assert {o["reference"] for o in client.get("/api/v1/orders", headers=trade["buyer"].headers)
            .get_json()["items"]} == {"EAST", "SOUTH", "NONE"}  # the seller's departments never narrow the buyer


def test_department_changes_are_audited(client, make_party):
    """Creating, moving and staffing departments leave audit events found by object."""
    admin = make_party("buyer", roles=("admin",))
    purchasing = _department(client, admin, "Purchasing")
    client.post(f"/api/v1/departments/{purchasing['id']}/members", headers=admin.headers,
                json={"user_id": admin.user.id})
    trail = client.get(f"/api/v1/audit?object_type=department&object_id={purchasing['id']}",
                       headers=admin.headers).get_json()["items"]
    assert [e["action"] for e in trail] == ["department.created", "department.member_added"]
