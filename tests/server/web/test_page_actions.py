"""The pages offer only the actions the API would let the signed-in person take (``server.web.may``).

A viewer sees a load, its links and authorizations, but no form that can only answer 403; a dispatcher held
in a department (a viewer elsewhere) gets the forms whose endpoints take a department role, on that
department's objects only, and not those that ask for the permission organisation-wide (asking a buyer
to trade). Both backends.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.extensions import db
from server.models import Organisation, PickupAuthorization
from tests.conftest import TEST_PASSWORD
from tests.server.access.access_factory import member


def _signed_in(client, party):
    client.post("/api/v1/auth/logout")
    r = client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD})
    assert r.status_code == 200


def _html(client, party, path: str) -> str:
    _signed_in(client, party)
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _forms(html: str) -> set[str]:
    """The ids of the forms that send to the API (``data-api``), with row ids cut to their kind."""
    ids = re.findall(r'<form id="([^"]+)"[^>]*data-api=', html)
    return {re.sub(r"-\d+$", "", form_id) for form_id in ids}


def _department(client, admin, name: str) -> int:
    r = client.post("/api/v1/departments", headers=admin.headers, json={"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _desk(client, admin, department_id: int, name: str):
    """A viewer organisation-wide who is a dispatcher in ``department_id``."""
    person = member(admin, ["viewer"], name=name)
    r = client.put(f"/api/v1/departments/{department_id}/roles", headers=admin.headers,
                   json={"user_id": person.user.id, "roles": ["dispatcher"]})
    assert r.status_code == 200, r.get_json()
    return person


def _authorization(load, carrier) -> int:
    row = PickupAuthorization(load_id=load.id, buyer_org_id=load.buyer_org_id, carrier_org_id=carrier.id,
                              plate="DU-HL 1", token_id=uuid.uuid4().hex,
                              expires_at=datetime.now(UTC) + timedelta(hours=5))
    db.session.add(row)
    db.session.commit()
    return row.id


@pytest.fixture
def buyer_side(client, trade, make_load, make_party):
    """Two awarded loads of the buyer, one filed in its department Steel and one in Paper, each with a live
    pickup authorization, and an inspection agency to appoint."""
    db.session.add(Organisation(name="Inspectorate", kind="inspector", settings={}))
    db.session.commit()
    buyer = trade["buyer"]
    steel, paper = _department(client, buyer, "Steel"), _department(client, buyer, "Paper")
    carrier = make_party("carrier")
    loads = {name: make_load(trade, carrier=carrier, reference=f"L-{name}", status="awarded",
                             buyer_department_id=department)
             for name, department in (("steel", steel), ("paper", paper))}
    for load in loads.values():
        _authorization(load, carrier)
    return {"loads": loads, "desk": _desk(client, buyer, steel, "steel-desk"), "buyer": buyer}


LOAD_FORMS = {"pickup-form", "revoke-auth", "inspector-form", "link-form"}


def test_a_buyers_dispatcher_is_offered_every_action_on_the_load_page(client, buyer_side):
    html = _html(client, member(buyer_side["buyer"], ["dispatcher"], name="dispatcher"),
                 f"/loads/{buyer_side['loads']['steel'].id}")
    assert _forms(html) == LOAD_FORMS


def test_a_viewer_sees_the_load_page_without_a_form_and_is_told_why(client, buyer_side):
    viewer = member(buyer_side["buyer"], ["viewer"], name="viewer")
    path = f"/loads/{buyer_side['loads']['steel'].id}"
    html = _html(client, viewer, path)
    assert _forms(html) == set()
    assert 'data-authorization="' in html and 'id="links-h"' in html  # the sections are still there
    assert "Authorizing a pickup needs the permission to authorize pickups." in html
    assert "Appointing an inspector needs the permission to appoint inspectors." in html
    zh = client.get(path + "?lang=zh_CN", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "授权提货需要授权提货的权限。" in zh and "指定检验机构需要指定检验机构的权限。" in zh


def test_a_department_dispatcher_gets_the_forms_its_department_role_opens_there_only(client, buyer_side):
    """On Steel's load: authorize, revoke, appoint an inspector and share (every one of these endpoints takes a
    department role on the load), and the API agrees. On Paper's load: nothing, and the API refuses."""
    desk, loads = buyer_side["desk"], buyer_side["loads"]
    assert _forms(_html(client, desk, f"/loads/{loads['steel'].id}")) == LOAD_FORMS
    assert _forms(_html(client, desk, f"/loads/{loads['paper'].id}")) == set()
    agency = db.session.query(Organisation).filter_by(kind="inspector").one()
    refused = client.post(f"/api/v1/loads/{loads['paper'].id}/inspectors", headers=desk.headers,
                          json={"inspector_org_id": agency.id})
    assert refused.status_code == 403 and refused.get_json()["permission"] == "appoint_inspectors"
    appointed = client.post(f"/api/v1/loads/{loads['steel'].id}/inspectors", headers=desk.headers,
                            json={"inspector_org_id": agency.id})
    assert appointed.status_code == 201, appointed.get_json()
    withdrawn = client.delete(f"/api/v1/inspection-appointments/{appointed.get_json()['id']}", headers=desk.headers)
    assert withdrawn.status_code == 204


def test_the_refreshed_authorizations_section_follows_the_same_rule(client, buyer_side):
    """The live fragment the page swaps in is rendered with the same decision."""
    loads = buyer_side["loads"]
    _signed_in(client, buyer_side["desk"])
    for name, offered in (("steel", True), ("paper", False)):
        html = client.get(f"/fragments/loads/{loads[name].id}/authorizations").get_data(as_text=True)
        assert ('id="revoke-auth-' in html) is offered


def test_the_seller_dashboard_offers_a_department_dispatcher_its_departments_drafts_only(client, trade, make_load):
    """Tender form: only Steel's draft among the loads; building loads yes (an order of Steel); asking a buyer to
    trade no (propose_trading organisation-wide). A viewer gets none of the forms; an admin all of them."""
    seller = trade["seller"]
    steel, paper = _department(client, seller, "Steel"), _department(client, seller, "Paper")
    order = client.post("/api/v1/orders", headers=seller.headers, json={**trade["order"], "department_id": steel})
    assert order.status_code == 201, order.get_json()
    mine = make_load(trade, reference="L-MINE", seller_department_id=steel)
    theirs = make_load(trade, reference="L-THEIRS", seller_department_id=paper)
    desk = _desk(client, seller, steel, "steel-desk")

    html = _html(client, desk, "/seller")
    assert {"plan-form", "tender-form"} <= _forms(html) and "trading-form" not in _forms(html)
    tender = re.search(r'<form id="tender-form".*?</form>', html, re.S).group(0)
    assert f'value="{mine.id}"' in tender and f'value="{theirs.id}"' not in tender

    viewer_html = _html(client, member(seller, ["viewer"], name="viewer"), "/seller")
    assert not {"plan-form", "tender-form", "trading-form", "reschedule"} & _forms(viewer_html)
    assert "Building loads needs the permission to build loads." in viewer_html
    assert {"plan-form", "tender-form", "trading-form"} <= _forms(_html(client, seller, "/seller"))


def test_a_carrier_viewer_is_offered_no_board_assignment_route_or_pairing_form(client, trade, make_load, make_party):
    carrier = make_party("carrier")
    make_load(trade, carrier=carrier, reference="L-AWARDED", status="awarded")
    viewer_html = _html(client, member(carrier, ["viewer"], name="viewer"), "/carrier")
    assert not {"assign", "route-form", "pair"} & _forms(viewer_html)
    assert "Planning routes needs the permission to plan routes." in viewer_html
    assert {"assign", "route-form"} <= _forms(_html(client, carrier, "/carrier"))


def test_a_platform_viewer_sees_the_admin_lists_and_tokens_but_no_form(client, make_party):
    admin = make_party("platform", roles=("admin",))
    issued = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "erp", "roles": ["dispatcher"]})
    assert issued.status_code == 201, issued.get_json()
    assert {"org-form", "user-form", "token-form"} <= _forms(_html(client, admin, "/admin"))
    assert _forms(client.get("/fragments/admin/tokens").get_data(as_text=True)) == {"rotate-token", "revoke-token"}
    assert _forms(_html(client, member(admin, ["viewer"], name="viewer"), "/admin")) == set()
    tokens = client.get("/fragments/admin/tokens").get_data(as_text=True)
    assert _forms(tokens) == set() and "erp" in tokens


def test_the_admin_page_lists_the_issued_tokens_when_it_opens(client, make_party):
    """The token list is on the page as it is first served, not only after a refresh of its fragment (which the
    page never asks for by itself)."""
    admin = make_party("platform", roles=("admin",))
    issued = client.post("/api/v1/tokens", headers=admin.headers, json={"name": "erp-nightly", "roles": ["dispatcher"]})
    assert issued.status_code == 201, issued.get_json()
    html = _html(client, admin, "/admin")
    assert "erp-nightly" in html and "No API token yet." not in html
    assert {"rotate-token", "revoke-token"} <= _forms(html)
