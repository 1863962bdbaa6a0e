"""The load-event recorder on the real database: one batch of events is one read and one write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import select

from gps_ingest.model import Event
from server.extensions import db
from server.models import Event as EventRow
from server.models import Load
from server.tracking.events import LoadEventRecorder

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _site(client, party, name, kind, lat, lon):
    response = client.post("/api/v1/sites", headers=party.headers, json={
        "name": name, "kind": kind, "location": {"lat": lat, "lon": lon}})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_one_batch_sees_its_own_status_changes_in_order(client, trade, make_load, fleet):
    """Arrive, leave, then a delivery ETA in one batch: at_pickup, in_transit, and the ETA is the delivery's."""
    carrier, (vehicle,) = fleet(1)
    pickup = _site(client, trade["seller"], "Plant", "plant", 51.40, 6.70)
    delivery = _site(client, trade["buyer"], "Yard", "customer", 51.60, 6.90)
    load = make_load({**trade, "plant": {"id": pickup}, "yard": {"id": delivery}}, carrier=carrier,
                     status="assigned", vehicle_id=vehicle)
    eta = T0 + timedelta(hours=2)
    v = str(vehicle)
    batch = [Event(v, "zone_enter", T0, str(pickup), {"zone_kind": "pickup"}),
             Event(v, "zone_exit", T0 + timedelta(minutes=30), str(pickup), {"zone_kind": "pickup"}),
             Event(v, "eta_changed", T0 + timedelta(minutes=31), str(delivery),
                   {"eta": eta.isoformat(), "previous": None, "delta_minutes": None})]
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        LoadEventRecorder(db.engine)._record(batch)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    db.session.expire_all()
    row = db.session.get(Load, load.id)
    assert row.status == "in_transit"
    assert row.eta == eta
    kinds = db.session.scalars(select(EventRow.kind).where(EventRow.vehicle_id == vehicle)
                               .order_by(EventRow.id)).all()
    assert kinds == ["zone_enter", "arrived_pickup", "status_changed", "zone_exit", "departed_pickup",
                     "status_changed", "eta_changed"]
    # One SELECT of the loads and one INSERT of the rows for the batch; an UPDATE per change.
    assert statements.count("SELECT") == 1 and statements.count("INSERT") == 1
    assert statements.count("UPDATE") == 3
