"""No-shows at every site without a console open, and never for a truck checking in at that moment."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from server.extensions import db
from server.models import DockAppointment, Load, YardVisit
from server.yard import booking
from server.yard.lateness import mark_no_shows
from server.yard.no_show_sweep import NoShowSweeper, sweep_no_shows
from tests.server.yard.yard_factory import MONDAY, fresh, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


def _booked(plant, start):
    load = make_load(plant, start=start)
    booking.book(plant.carrier.principal, db.session.get(Load, load.id), plant.docks["D1"].id, start, start - 3 * H)
    return load


def test_the_sweep_marks_overdue_trucks_at_every_site_and_only_those(ctx):
    """Two plants: the truck 31 min past its slot is a no-show (its dock freed), the one 10 min past is not yet."""
    first, second = make_plant(), make_plant()
    missed, still_expected = _booked(first, MONDAY + H), _booked(second, MONDAY + H + 21 * M)
    assert sweep_no_shows(MONDAY + H + 31 * M) == {first.site.id: [missed.id]}
    assert fresh(YardVisit, db.session.query(YardVisit).filter_by(load_id=missed.id).one().id).status == "no_show"
    assert {a.status for a in db.session.query(DockAppointment).filter_by(load_id=missed.id)} == {"cancelled"}
    assert db.session.query(YardVisit).filter_by(load_id=still_expected.id).one().status == "scheduled"
    assert sweep_no_shows(MONDAY + H + 31 * M) == {}  # nothing twice


def test_the_background_sweeper_runs_its_steps_and_survives_a_failing_one(ctx, monkeypatch):
    import server.yard.no_show_sweep as module

    calls = []

    def flaky(app):
        calls.append(app)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return {}

    monkeypatch.setattr(module, "sweep_once", flaky)
    sweeper = NoShowSweeper(ctx, interval_s=0.01)
    sweeper.start()
    try:
        for _ in range(500):
            if len(calls) >= 3:
                break
            threading.Event().wait(0.01)
    finally:
        sweeper.stop()
        sweeper.join(5)
    assert len(calls) >= 3 and all(app is ctx for app in calls)


def test_a_truck_checking_in_while_the_sweep_runs_is_not_called_a_no_show(ctx):
    """Before: the sweep read the truck as expected, waited on the check-in's row lock, then overwrote
    ``arrived`` with ``no_show`` and cancelled the slot of a truck standing at the gate."""
    if ctx.config["BACKEND"] != "postgis":
        pytest.skip("row locks between two connections are tested on the production database")
    plant = make_plant()
    load = _booked(plant, MONDAY + H)
    engine, updated, go = db.engine, threading.Event(), threading.Event()

    def check_in_meanwhile():  # what gate.arrive does: lock the load, move the visit, commit a moment later
        with engine.connect() as conn:
            conn.execute(text("SELECT id FROM loads WHERE id = :id FOR UPDATE"), {"id": load.id})
            conn.execute(text("UPDATE yard_visits SET status = 'arrived' WHERE load_id = :id"), {"id": load.id})
            updated.set()
            go.wait(1.0)
            conn.commit()

    thread = threading.Thread(target=check_in_meanwhile)
    thread.start()
    assert updated.wait(10)
    assert mark_no_shows(plant.site, MONDAY + H + 31 * M) == []
    thread.join(10)
    db.session.expire_all()
    assert db.session.query(YardVisit).filter_by(load_id=load.id).one().status == "arrived"
    assert {a.status for a in db.session.query(DockAppointment).filter_by(load_id=load.id)} == {"booked"}
