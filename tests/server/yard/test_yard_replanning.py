"""Planning a day and re-planning after ETA changes or dock calls, through the dock engine, on both backends."""

from datetime import timedelta

import pytest

from server.extensions import db
from server.models import DockAppointment, Load, YardVisit
from server.realtime import driver_inbox
from server.yard import booking
from server.yard.day_plan import plan_day
from server.yard.eta import on_eta_changed
from server.yard.queue import call_to_dock
from server.yard.refusals import YardRefused
from tests.server.yard.yard_factory import MONDAY, fresh, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def inbox(monkeypatch):
    """Messages sent to drivers' phones, as (driver_id, kind, payload)."""
    sent = []
    monkeypatch.setattr(driver_inbox, "send", lambda driver_id, kind, payload: sent.append((driver_id, kind, payload)))
    return sent


def live(load_id):
    db.session.expire_all()
    return db.session.query(DockAppointment).filter(DockAppointment.load_id == load_id,
                                                    DockAppointment.status.in_(("booked", "called", "loading"))).one()


def no_overlaps():
    rows = db.session.query(DockAppointment).filter(DockAppointment.status != "cancelled").all()
    for a in rows:
        for b in rows:
            assert a.id == b.id or a.dock_id != b.dock_id or a.end <= b.start or b.end <= a.start, (a.id, b.id)


def _book(plant, load, dock, start):
    return booking.book(plant.carrier.principal, db.session.get(Load, load.id), plant.docks[dock].id, start, MONDAY)


def test_a_slipped_eta_moves_the_slot_and_tells_the_driver(ctx, inbox):
    """The truck now comes 40 min later than its slot: its appointment moves after the ETA and its driver hears."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    late, other = make_load(plant), make_load(plant)
    _book(plant, late, "D1", MONDAY + 2 * H)
    _book(plant, other, "D1", MONDAY + 2 * H + 30 * M)
    inbox.clear()
    changes = on_eta_changed(late.id, MONDAY + 2 * H + 40 * M, now=MONDAY)
    assert late.id in [c.load.id for c in changes]
    assert live(late.id).start >= MONDAY + 2 * H + 40 * M
    assert fresh(Load, late.id).eta == MONDAY + 2 * H + 40 * M
    no_overlaps()
    told = [(kind, payload["load_id"]) for _, kind, payload in inbox]
    assert ("replan", late.id) in told
    visit = db.session.query(YardVisit).filter_by(load_id=late.id).one()
    assert visit.appointment_id == live(late.id).id


def test_called_appointments_are_frozen_during_a_replan(ctx, inbox):
    """A truck already called to the dock keeps its slot even when another truck's new ETA wants it."""
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    moving, called = make_load(plant), make_load(plant)
    _book(plant, moving, "D1", MONDAY + 4 * H)
    held = _book(plant, called, "D1", MONDAY + 2 * H)
    row = db.session.get(DockAppointment, held.id)
    row.status, row.frozen = "called", True
    db.session.commit()
    inbox.clear()
    on_eta_changed(moving.id, MONDAY + 2 * H, now=MONDAY)
    kept = live(called.id)
    assert (kept.id, kept.start) == (held.id, MONDAY + 2 * H)
    assert live(moving.id).start >= MONDAY + 2 * H + 24 * M
    assert all(payload["load_id"] != called.id for _, _, payload in inbox)
    no_overlaps()


def test_eta_jitter_does_not_replan(ctx, inbox):
    """An ETA a few minutes off, still before the slot, stores the ETA and moves nothing."""
    plant = make_plant()
    load = make_load(plant)
    before = _book(plant, load, "D1", MONDAY + 3 * H)
    inbox.clear()
    assert on_eta_changed(load.id, MONDAY + H + 3 * M, now=MONDAY) == []
    assert live(load.id).id == before.id and inbox == []
    assert fresh(Load, load.id).eta == MONDAY + H + 3 * M


def test_plan_day_books_every_truck_of_the_day_around_existing_bookings(ctx, inbox):
    """The day's unbooked trucks all get compatible docks after their arrival; bookings and other days stay."""
    plant = make_plant()
    today = [make_load(plant, start=MONDAY + k * 20 * M) for k in range(5)]
    tanker = make_load(plant, start=MONDAY + H, equipment="liquid_arm", pallets=0, weight_kg=25000)
    tomorrow = make_load(plant, start=MONDAY + 24 * H)
    existing = _book(plant, today[0], "D1", MONDAY + H)
    summary = plan_day(plant.site, MONDAY.date(), MONDAY)
    assert summary["unscheduled"] == [] and len(summary["booked"]) == 5
    assert live(today[0].id).id == existing.id
    for load in today[1:]:
        row = live(load.id)
        assert row.dock_id in (plant.docks["D1"].id, plant.docks["D2"].id)
        assert row.start >= db.session.get(Load, load.id).pickup_earliest
        assert db.session.query(YardVisit).filter_by(load_id=load.id).one().status == "scheduled"
    assert live(tanker.id).dock_id == plant.docks["T1"].id
    assert live(tanker.id).end - live(tanker.id).start == 45 * M  # 20 min coupling + 25 t at 1 t/min
    assert db.session.query(DockAppointment).filter_by(load_id=tomorrow.id).count() == 0
    no_overlaps()
    assert plan_day(plant.site, MONDAY.date(), MONDAY)["booked"] == []  # nothing left to plan


def test_calling_a_truck_pushes_booked_trucks_aside_but_not_called_ones(ctx, inbox):
    """A walk-in called to D1 now takes it; the truck booked there is re-planned; a held dock refuses the call."""
    plant = make_plant(docks=(("D1", "pallet_dock"), ("D2", "pallet_dock")))
    walk_in, booked, third = make_load(plant, start=MONDAY - H), make_load(plant), make_load(plant, start=MONDAY - H)
    pushed = _book(plant, booked, "D1", MONDAY + 2 * H)
    visits = {}
    for load in (walk_in, third):
        visit = YardVisit(load_id=load.id, site_id=plant.site.id, status="arrived", arrived_at=MONDAY,
                          history=[{"status": "arrived", "at": MONDAY.isoformat()}])
        db.session.add(visit)
        db.session.commit()
        visits[load.id] = visit.id
    now = MONDAY + 2 * H - 10 * M
    inbox.clear()
    call_to_dock(db.session.get(YardVisit, visits[walk_in.id]), plant.docks["D1"], now, by=plant.manager.user_id)
    mine = live(walk_in.id)
    assert (mine.dock_id, mine.start, mine.status, mine.frozen) == (plant.docks["D1"].id, now, "called", True)
    assert fresh(DockAppointment, pushed.id).status == "cancelled"
    assert live(booked.id).start >= mine.end or live(booked.id).dock_id != plant.docks["D1"].id
    assert {kind for _, kind, p in inbox if p.get("load_id") == booked.id} == {"replan"}
    assert any(kind == "dock_call" and p["load_id"] == walk_in.id for _, kind, p in inbox)
    with pytest.raises(YardRefused) as refused:
        call_to_dock(db.session.get(YardVisit, visits[third.id]), plant.docks["D1"], now + M, by=None)
    db.session.rollback()
    assert (refused.value.status, refused.value.reason) == (409, "dock_busy")
    assert fresh(YardVisit, visits[third.id]).status == "arrived"
    no_overlaps()


def test_a_pickup_eta_from_the_ingest_replans_the_docks(ctx, inbox, monkeypatch):
    """The recorder hands a new ETA to the pickup to the yard: stored once, the slot moves after it, the driver hears."""
    from gps_ingest.model import Event as IngestEvent
    from server import clock
    from server.tracking.events import LoadEventRecorder
    from server.yard.arrivals import YardFromIngest

    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    plant = make_plant(docks=(("D1", "pallet_dock"),))
    late, other = make_load(plant), make_load(plant)  # the truck's active load is the first (lowest id)
    _book(plant, late, "D1", MONDAY + 2 * H)
    _book(plant, other, "D1", MONDAY + 2 * H + 30 * M)
    inbox.clear()
    eta = MONDAY + 2 * H + 40 * M
    recorder = LoadEventRecorder(db.engine, yard=YardFromIngest(ctx))
    recorder.publish_event(IngestEvent(str(plant.truck.id), "eta_changed", MONDAY, str(plant.site.id),
                                       {"eta": eta.isoformat()}))
    assert recorder.recorded == 1 and recorder.yard_failed == 0
    assert fresh(Load, late.id).eta == eta
    assert live(late.id).start >= eta
    no_overlaps()
    assert ("replan", late.id) in [(kind, payload["load_id"]) for _, kind, payload in inbox]


def test_a_truck_called_without_a_dock_goes_to_a_free_one_when_its_booked_dock_is_held(ctx, inbox):
    """Before: calling a truck whose booked dock was held by another called truck was refused (409
    dock_busy) although the other dock stood empty; the whole-chain browser test hit it."""
    from server.yard.flow import call

    plant = make_plant(docks=(("D1", "pallet_dock"), ("D2", "pallet_dock")))
    walk_in, booked = make_load(plant, start=MONDAY - H), make_load(plant, start=MONDAY - H)
    now = MONDAY + 30 * M
    visits = {}
    for load in (walk_in, booked):
        visit = db.session.query(YardVisit).filter_by(load_id=load.id).one_or_none() or YardVisit(
            load_id=load.id, site_id=plant.site.id)
        visit.status, visit.arrived_at = "arrived", MONDAY
        visit.history = [{"status": "arrived", "at": MONDAY.isoformat()}]
        db.session.add(visit)
        db.session.commit()
        visits[load.id] = visit.id
    call_to_dock(db.session.get(YardVisit, visits[walk_in.id]), plant.docks["D1"], now, by=plant.manager.user_id)
    booking.book(plant.carrier.principal, db.session.get(Load, booked.id), plant.docks["D1"].id,
                 live(walk_in.id).end, MONDAY - 2 * H)  # the first slot of D1 after the called truck, booked early
    called = call(plant.manager.principal, db.session.get(YardVisit, visits[booked.id]), None, now + M)
    assert called.status == "called" and called.called_dock_id == plant.docks["D2"].id
    assert live(booked.id).dock_id == plant.docks["D2"].id
    no_overlaps()
