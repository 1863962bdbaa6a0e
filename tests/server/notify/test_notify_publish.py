"""publish_event: in-app notifications, live emits and queued webhook deliveries, and that it never fails a caller."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from server.extensions import db, socketio
from server.models import Notification, Webhook, WebhookDelivery
from server.notify.kinds import KINDS
from server.notify.publish import publish_event


def _notes(org_id=None):
    db.session.remove()  # publish_event commits in its own session: read afresh
    query = select(Notification).order_by(Notification.id)
    if org_id is not None:
        query = query.where(Notification.organisation_id == org_id)
    return db.session.scalars(query).all()


def _socket_notes(client):
    return [m["args"][0] for m in client.get_received() if m["name"] == "notification"]


def test_each_organisation_gets_one_notification_live_and_stored(ctx, make_party):
    """Duplicates and None are dropped; each party's room gets its own notification, a stranger none."""
    seller, buyer, stranger = make_party("seller"), make_party("buyer"), make_party("carrier")
    sockets = {p.id: socketio.test_client(ctx, auth={"token": p.token}) for p in (seller, buyer, stranger)}
    at = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)
    event_id = publish_event("awarded", organisation_ids=[seller.id, None, buyer.id, seller.id], load_id=42,
                             data={"price": 100, "at": at})
    assert event_id.startswith("evt_")
    stored = _notes()
    assert sorted(n.organisation_id for n in stored) == sorted([seller.id, buyer.id])
    assert all(n.kind == "awarded" and n.payload["event_id"] == event_id for n in stored)
    assert stored[0].payload["data"] == {"price": 100, "at": "2030-06-03T08:00:00+00:00"}
    for party in (seller, buyer):
        live = _socket_notes(sockets[party.id])
        assert len(live) == 1 and live[0]["kind"] == "awarded" and live[0]["load_id"] == 42
        assert live[0]["id"] in {n.id for n in stored if n.organisation_id == party.id}
    assert _socket_notes(sockets[stranger.id]) == []


def test_only_active_subscribed_webhooks_of_the_organisations_get_deliveries(ctx, make_party):
    """A delivery is queued per active webhook subscribed to the kind (or to '*'), never for others."""
    seller, other = make_party("seller"), make_party("seller")

    def hook(org, events, active=True):
        row = Webhook(organisation_id=org.id, url="https://erp.example.com/h", secret="whsec_x", events=events,
                      active=active, consecutive_failures=0)
        db.session.add(row)
        db.session.commit()
        return row.id

    wanted = {hook(seller, ["order_received"]), hook(seller, ["*"])}
    hook(seller, ["delivered"])
    hook(seller, ["*"], active=False)
    hook(other, ["*"])
    event_id = publish_event("order_received", organisation_ids=[seller.id], data={"order_id": 1})
    db.session.remove()
    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert {d.webhook_id for d in deliveries} == wanted
    body = deliveries[0].payload
    assert body["id"] == event_id and body["type"] == "order_received" and body["organisation_id"] == seller.id
    assert body["data"] == {"order_id": 1} and all(d.status == "pending" and d.attempts == 0 for d in deliveries)


def test_publish_never_raises_into_the_caller(ctx, make_party, monkeypatch, caplog):
    """An unknown kind, a failed store and a failed emit are logged; the caller gets None or the event id."""
    party = make_party("seller")
    with caplog.at_level(logging.ERROR, logger="haul.notify"):
        assert publish_event("no_such_kind", organisation_ids=[party.id], data={}) is None
        assert publish_event("delivered", organisation_ids=[None], data={}) is None
        monkeypatch.setattr("server.notify.publish._publish", _boom)
        assert publish_event("delivered", organisation_ids=[party.id], data={}) is None
    assert "no_such_kind" in caplog.text and "could not publish delivered" in caplog.text
    assert _notes() == []
    monkeypatch.undo()
    monkeypatch.setattr("server.notify.publish.emit_to_orgs", _boom)
    assert publish_event("delivered", organisation_ids=[party.id], data={"odd": object()}) is not None
    assert [n.kind for n in _notes(party.id)] == ["delivered"]


def _boom(*_args, **_kwargs):
    raise RuntimeError("boom")


def test_every_documented_kind_is_publishable(ctx, make_party):
    """Each kind in KINDS is accepted and stored."""
    party = make_party("carrier")
    for kind in KINDS:
        assert publish_event(kind, organisation_ids=[party.id], data={}) is not None
    assert [n.kind for n in _notes(party.id)] == list(KINDS)


def test_a_new_order_tells_seller_and_buyer_once(client, trade):
    """Posting an order notifies seller and buyer; an idempotent replay notifies nobody again."""
    seller, buyer = trade["seller"], trade["buyer"]
    headers = {**seller.headers, "Idempotency-Key": "k-1"}
    order = client.post("/api/v1/orders", headers=headers, json=trade["order"]).get_json()
    assert client.post("/api/v1/orders", headers=headers, json=trade["order"]).status_code == 200
    notes = _notes()
    assert sorted(n.organisation_id for n in notes) == sorted([seller.id, buyer.id])
    assert all(n.kind == "order_received" and n.payload["data"] == {"order_id": order["id"], "reference": "SO-1"}
               for n in notes)


def test_an_order_post_succeeds_when_notifying_fails(client, trade, monkeypatch):
    """A broken notification store does not turn an order post into an error."""
    monkeypatch.setattr("server.notify.publish._publish", _boom)
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=trade["order"])
    assert r.status_code == 201 and r.get_json()["reference"] == "SO-1"


def test_committing_a_load_plan_tells_of_each_load(client, trade):
    """Each committed load is a load_built event for its seller and buyer, with its load id."""
    seller = trade["seller"]
    order = client.post("/api/v1/orders", headers=seller.headers, json=trade["order"]).get_json()
    plan = client.post("/api/v1/load-plans", headers=seller.headers,
                       json={"order_ids": [order["id"]], "time_limit_s": 1}).get_json()
    load_ids = client.post(f"/api/v1/load-plans/{plan['id']}/commit", headers=seller.headers).get_json()["load_ids"]
    built = [n for n in _notes() if n.kind == "load_built"]
    assert len(load_ids) == 2
    assert sorted((n.payload["load_id"], n.organisation_id) for n in built) == sorted(
        (load_id, org) for load_id in load_ids for org in (seller.id, trade["buyer"].id))


def test_one_event_reaches_a_bounded_number_of_organisations_and_endpoints(ctx, make_party, monkeypatch):
    """Beyond the per-event bounds nothing is stored or queued, and what was held back is counted."""
    from server.notify import counters

    monkeypatch.setitem(ctx.config, "HAUL_NOTIFY_MAX_ORGS_PER_EVENT", 3)
    monkeypatch.setitem(ctx.config, "HAUL_NOTIFY_MAX_DELIVERIES_PER_EVENT", 4)
    parties = [make_party("buyer") for _ in range(5)]
    for party in parties:
        db.session.add_all([Webhook(organisation_id=party.id, url=f"https://erp{n}.example.com/h", secret="whsec_x",
                                    events=["*"], active=True, consecutive_failures=0) for n in range(2)])
    db.session.commit()
    orgs_before = counters.value("haul_notify_fanout_capped_total", ("what", "organisations"))
    deliveries_before = counters.value("haul_notify_fanout_capped_total", ("what", "deliveries"))
    publish_event("delivered", organisation_ids=[p.id for p in parties], data={})
    assert len(_notes()) == 3
    assert len(db.session.scalars(select(WebhookDelivery)).all()) == 4
    assert counters.value("haul_notify_fanout_capped_total", ("what", "organisations")) == orgs_before + 2
    assert counters.value("haul_notify_fanout_capped_total", ("what", "deliveries")) == deliveries_before + 2
    assert "haul_notify_fanout_capped_total" in "\n".join(counters.prometheus_lines())
