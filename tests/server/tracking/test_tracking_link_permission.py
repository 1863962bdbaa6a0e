"""Who may share a load's public tracking link: minting or withdrawing one needs ``share_tracking`` (a viewer who
only sees the load gets 403 naming it), held organisation-wide or in the load's department; the load page hides
the controls from those without it. On both backends."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.extensions import db
from server.models import TrackingLink
from tests.conftest import TEST_PASSWORD
from tests.server.access.access_factory import member

PERMISSION = "share_tracking"


def _create(client, party, load_id):
    return client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=party.headers, json={"ttl_hours": 2})


def _refused(response) -> bool:
    body = response.get_json()
    return (response.status_code == 403 and response.mimetype == "application/problem+json"
            and body["permission"] == PERMISSION)


def _live_links(load_id: int) -> int:
    db.session.rollback()
    return len(db.session.scalars(select(TrackingLink).where(TrackingLink.load_id == load_id,
                                                             TrackingLink.revoked_at.is_(None))).all())


def test_a_viewer_of_the_seller_or_the_buyer_may_not_mint_or_withdraw_links(client, trade, make_load):
    """Viewers get 403 problem+json naming share_tracking on POST, DELETE all and DELETE one; nothing changes;
    they still list the links."""
    load = make_load(trade)
    link = _create(client, trade["seller"], load.id).get_json()
    for side in ("seller", "buyer"):
        viewer = member(trade[side], ["viewer"], name=f"{side}-viewer")
        assert _refused(_create(client, viewer, load.id))
        assert _refused(client.delete(f"/api/v1/loads/{load.id}/tracking-links", headers=viewer.headers))
        assert _refused(client.delete(f"/api/v1/loads/{load.id}/tracking-links/{link['id']}", headers=viewer.headers))
        listed = client.get(f"/api/v1/loads/{load.id}/tracking-links", headers=viewer.headers)
        assert listed.status_code == 200
    assert _live_links(load.id) == 1 and client.get(f"/track/{link['token']}").status_code == 200


def test_dispatchers_of_the_seller_and_the_buyer_still_share_and_withdraw(client, trade, make_load):
    """A plain dispatcher on either side mints a link and withdraws it, one or all."""
    load = make_load(trade)
    for side in ("seller", "buyer"):
        dispatcher = member(trade[side], ["dispatcher"], name=f"{side}-dispatcher")
        one = _create(client, dispatcher, load.id)
        assert one.status_code == 201, one.get_json()
        r = client.delete(f"/api/v1/loads/{load.id}/tracking-links/{one.get_json()['id']}", headers=dispatcher.headers)
        assert r.status_code == 204
        assert _create(client, dispatcher, load.id).status_code == 201
        assert client.delete(f"/api/v1/loads/{load.id}/tracking-links", headers=dispatcher.headers).status_code == 204
    assert _live_links(load.id) == 0


def test_the_carrier_and_strangers_are_refused_as_before(client, trade, make_load, make_party):
    """A carrier's dispatcher holds share_tracking but is still 403 (not the buyer or seller); a stranger 404."""
    carrier = make_party("carrier")
    load = make_load(trade, carrier=carrier)
    refused = _create(client, carrier, load.id)
    assert refused.status_code == 403 and "permission" not in refused.get_json()
    assert _create(client, make_party("seller"), load.id).status_code == 404


def test_a_dispatcher_held_in_a_department_shares_that_departments_loads_only(client, trade, make_load):
    """dispatcher in Steel (a viewer elsewhere): Steel's load 201; Paper's load and an unfiled one 403 naming it."""
    seller = trade["seller"]
    steel, paper = (client.post("/api/v1/departments", headers=seller.headers, json={"name": name}).get_json()["id"]
                    for name in ("Steel", "Paper"))
    desk = member(seller, ["viewer"], name="steel-desk")
    r = client.put(f"/api/v1/departments/{steel}/roles", headers=seller.headers,
                   json={"user_id": desk.user.id, "roles": ["dispatcher"]})
    assert r.status_code == 200, r.get_json()
    steel_load = make_load(trade, reference="L-STEEL", seller_department_id=steel)
    paper_load = make_load(trade, reference="L-PAPER", seller_department_id=paper)
    unfiled = make_load(trade, reference="L-NONE")
    made = _create(client, desk, steel_load.id)
    assert made.status_code == 201, made.get_json()
    assert _refused(_create(client, desk, paper_load.id)) and _refused(_create(client, desk, unfiled.id))
    assert _refused(client.delete(f"/api/v1/loads/{paper_load.id}/tracking-links", headers=desk.headers))
    assert client.delete(f"/api/v1/loads/{steel_load.id}/tracking-links", headers=desk.headers).status_code == 204


def _page(client, party, load_id, lang="") -> str:
    client.post("/api/v1/auth/logout")
    r = client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD})
    assert r.status_code == 200
    return client.get(f"/loads/{load_id}{lang}", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_the_load_page_shows_the_share_controls_only_to_those_who_may_share(client, trade, make_load):
    """A dispatcher sees the create form and a Withdraw button; a viewer sees the links, neither control, and why."""
    load = make_load(trade)
    link = _create(client, trade["seller"], load.id).get_json()
    html = _page(client, member(trade["seller"], ["dispatcher"], name="page-dispatcher"), load.id)
    assert 'id="link-form"' in html and f'id="revoke-link-{link["id"]}"' in html
    viewer = member(trade["seller"], ["viewer"], name="page-viewer")
    html = _page(client, viewer, load.id)
    assert 'id="links-h"' in html and f"#{link['id']}" in html
    assert 'id="link-form"' not in html and not re.search(r'id="revoke-link-\d+"', html)
    assert "Creating or withdrawing a link needs the permission to share tracking." in html
    assert "创建或撤回链接需要分享跟踪的权限。" in _page(client, viewer, load.id, "?lang=zh_CN")


def test_a_stop_buyers_load_page_lists_only_the_links_it_manages(client, trade, make_party):
    """On a multi-drop load the page lists what the API lists for each party: buyer B sees its own link, not the
    seller's or buyer A's (neither their ids nor a Withdraw button that could only answer 404)."""
    from tests.server.stops.multi_drop_factory import two_buyer_load

    multi = two_buyer_load(client, trade, make_party)
    load_id = multi["load_id"]
    ids = {side: _create(client, multi[side], load_id).get_json()["id"] for side in ("seller", "buyer_a", "buyer_b")}
    html = _page(client, multi["buyer_b"], load_id)
    links = re.search(r'<ul class="plain" aria-label="Tracking links">.*?</ul>', html, re.S).group(0)
    assert f"#{ids['buyer_b']} " in links and f'id="revoke-link-{ids["buyer_b"]}"' in links
    assert f"#{ids['seller']} " not in links and f"#{ids['buyer_a']} " not in links
    listed = client.get(f"/api/v1/loads/{load_id}/tracking-links", headers=multi["buyer_b"].headers).get_json()
    assert [link["id"] for link in listed] == [ids["buyer_b"]]
    seller_links = re.search(r'aria-label="Tracking links">.*?</ul>', _page(client, multi["seller"], load_id), re.S)
    assert f"#{ids['seller']} " in seller_links.group(0) and f"#{ids['buyer_b']} " not in seller_links.group(0)
