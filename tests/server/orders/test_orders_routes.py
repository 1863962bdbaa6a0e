"""Order intake through the JSON API, on both backends."""

import copy
import json

from sqlalchemy import func, select


def _count_orders():
    from server.extensions import db
    from server.models import Order

    return db.session.scalar(select(func.count()).select_from(Order))


def test_create_order_returns_it_with_lines(client, trade):
    """A valid order is created with its lines numbered and the seller as owner."""
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=trade["order"])
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["seller_id"] == trade["seller"].id and body["buyer_id"] == trade["buyer"].id
    assert [line["line_no"] for line in body["lines"]] == [1]
    assert body["status"] == "received"


def test_repeated_idempotency_key_returns_first_order_unchanged(client, trade):
    """A retry with the same Idempotency-Key returns the first order, even with another body."""
    headers = {**trade["seller"].headers, "Idempotency-Key": "erp-42"}
    first = client.post("/api/v1/orders", headers=headers, json=trade["order"])
    changed = copy.deepcopy(trade["order"])
    changed["reference"] = "SO-CHANGED"
    again = client.post("/api/v1/orders", headers=headers, json=changed)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["reference"] == "SO-1"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count_orders() == 1


def test_field_errors_answer_422_with_paths_and_write_nothing(client, trade):
    """Zero quantities, negative weights, wrong types and bad windows are named by path."""
    bad = copy.deepcopy(trade["order"])
    bad["lines"] = [bad["lines"][0], {**bad["lines"][0], "quantity": 0, "unit_weight_kg": -1}]
    bad["buyer_id"] = "seven"
    bad["pickup_window"]["latest"] = "2000-01-01T00:00:00+00:00"
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=bad)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    paths = {e["path"] for e in r.get_json()["errors"]}
    assert {"lines/1/quantity", "lines/1/unit_weight_kg", "buyer_id", "pickup_window/latest"} <= paths
    assert _count_orders() == 0


def test_nan_is_refused_with_its_path(client, trade):
    """A NaN weight (which Python's JSON parser accepts) is a field error, not a stored NaN."""
    raw = json.dumps(trade["order"]).replace('"unit_weight_kg": 1000', '"unit_weight_kg": NaN')
    r = client.post("/api/v1/orders", headers={**trade["seller"].headers, "Content-Type": "application/json"},
                    data=raw)
    assert r.status_code == 422
    assert "lines/0/unit_weight_kg" in {e["path"] for e in r.get_json()["errors"]}


def test_naive_datetimes_are_refused(client, trade):
    """A window without a time zone is ambiguous and refused."""
    bad = copy.deepcopy(trade["order"])
    bad["pickup_window"]["earliest"] = "2030-01-01T08:00:00"
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=bad)
    assert r.status_code == 422
    assert "pickup_window/earliest" in {e["path"] for e in r.get_json()["errors"]}


def test_unknown_or_foreign_sites_are_field_errors(client, trade, make_party):
    """A site of an unrelated organisation is 'unknown site', exactly like a missing one."""
    stranger = make_party("seller")
    their_site = client.post("/api/v1/sites", headers=stranger.headers, json={
        "name": "Other plant", "location": {"lat": 1, "lon": 1}}).get_json()
    bad = {**trade["order"], "pickup_site_id": their_site["id"], "delivery_site_id": 999_999}
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=bad)
    assert r.status_code == 422
    errors = {e["path"]: e["message"] for e in r.get_json()["errors"]}
    assert errors == {"pickup_site_id": "unknown site", "delivery_site_id": "unknown site"}


def test_malformed_json_answers_400_problem(client, trade):
    """A body that is not JSON gets a problem document, never an HTML page."""
    r = client.post("/api/v1/orders", headers={**trade["seller"].headers, "Content-Type": "application/json"},
                    data="{not json")
    assert r.status_code in (400, 422)
    assert r.mimetype == "application/problem+json"


def test_oversized_body_answers_413(client, trade):
    """A body over the configured limit is refused before it is parsed."""
    huge = {**trade["order"], "notes": "x" * (300 * 1024)}
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=huge)
    assert r.status_code == 413
    assert r.mimetype == "application/problem+json"


def test_missing_and_wrong_tokens_answer_401(client, trade):
    """No token and a made-up token are both 401."""
    assert client.post("/api/v1/orders", json=trade["order"]).status_code == 401
    r = client.get("/api/v1/orders", headers={"Authorization": "Bearer haul_made_up"})
    assert r.status_code == 401


def test_wrong_role_or_org_kind_answers_403(client, trade, make_party):
    """A viewer cannot post orders, and neither can a buyer organisation."""
    viewer = make_party("seller", roles=("viewer",))
    assert client.post("/api/v1/orders", headers=viewer.headers, json=trade["order"]).status_code == 403
    assert client.post("/api/v1/orders", headers=trade["buyer"].headers, json=trade["order"]).status_code == 403


def test_buyer_sees_order_and_stranger_gets_404(client, trade, make_party):
    """The buyer party reads the order; an unrelated organisation gets 404 and an empty list."""
    order = client.post("/api/v1/orders", headers=trade["seller"].headers, json=trade["order"]).get_json()
    assert client.get(f"/api/v1/orders/{order['id']}", headers=trade["buyer"].headers).status_code == 200
    stranger = make_party("buyer")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=stranger.headers).status_code == 404
    assert client.get("/api/v1/orders", headers=stranger.headers).get_json()["total"] == 0


def test_list_filters_and_bounded_pagination(client, trade):
    """Lists filter by status and reference, and refuse a page size over the bound."""
    for n in range(3):
        client.post("/api/v1/orders", headers=trade["seller"].headers, json={**trade["order"], "reference": f"R{n}"})
    page = client.get("/api/v1/orders?limit=2", headers=trade["seller"].headers).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert client.get("/api/v1/orders?reference=R1", headers=trade["seller"].headers).get_json()["total"] == 1
    assert client.get("/api/v1/orders?limit=100000", headers=trade["seller"].headers).status_code == 422


def test_cancel_is_for_the_seller_and_only_before_tender(client, trade):
    """The seller cancels a received order; the buyer cannot; a tendered one cannot be."""
    from server.extensions import db
    from server.models import Order

    created = client.post("/api/v1/orders", headers=trade["seller"].headers, json=trade["order"]).get_json()
    assert client.post(f"/api/v1/orders/{created['id']}/cancel", headers=trade["buyer"].headers).status_code == 403
    r = client.post(f"/api/v1/orders/{created['id']}/cancel", headers=trade["seller"].headers)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    other = client.post("/api/v1/orders", headers=trade["seller"].headers,
                        json={**trade["order"], "reference": "SO-2"}).get_json()
    db.session.get(Order, other["id"]).status = "tendered"
    db.session.commit()
    assert client.post(f"/api/v1/orders/{other['id']}/cancel", headers=trade["seller"].headers).status_code == 409
