"""Offered slots and booking rules, with overlap enforced by the service and by the database, on both backends."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from server.extensions import db
from server.models import DockAppointment, Load, YardVisit
from server.yard import booking
from server.yard.refusals import YardRefused
from server.yard.slots import offered_slots
from tests.server.yard.yard_factory import MONDAY, fresh, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


def _book(who, load, dock, start, now=MONDAY):
    return booking.book(who.principal, db.session.get(Load, load.id), dock.id, start, now)


def _refusal(call) -> YardRefused:
    with pytest.raises(YardRefused) as refused:
        call()
    db.session.rollback()
    return refused.value


def test_slots_are_on_matching_docks_inside_the_window_and_skip_taken_times(ctx):
    """A pallet load is offered both pallet docks every 15 min of its window, minus times another truck holds."""
    plant = make_plant()
    load, other = make_load(plant), make_load(plant)
    _book(plant.carrier, other, plant.docks["D1"], MONDAY + H)
    slots = offered_slots(db.session.get(Load, load.id), plant.site, MONDAY)
    by_dock = {name: [s["start"] for s in slots if s["dock_id"] == dock.id] for name, dock in plant.docks.items()}
    assert by_dock["T1"] == []
    assert len(by_dock["D2"]) == 17 and by_dock["D2"][0] == MONDAY + H
    assert MONDAY + H not in by_dock["D1"] and MONDAY + H + 15 * M not in by_dock["D1"]
    assert MONDAY + H + 30 * M in by_dock["D1"]
    assert all(s["end"] - s["start"] == 24 * M for s in slots)  # 12 min setup + 0.6 min x 20 pallets


def test_carrier_books_a_slot_and_the_visit_is_scheduled(ctx):
    """A booking stores the appointment with the modelled duration and schedules the load's visit."""
    plant = make_plant()
    load = make_load(plant)
    row = _book(plant.carrier, load, plant.docks["D2"], MONDAY + H + 7 * M + 30 * timedelta(seconds=1))
    assert (row.start, row.end, row.status) == (MONDAY + H + 7 * M, MONDAY + H + 31 * M, "booked")
    visit = db.session.query(YardVisit).filter_by(load_id=load.id).one()
    assert visit.status == "scheduled" and visit.appointment_id == row.id
    assert [e["status"] for e in visit.history] == ["requested", "scheduled"]


def test_a_double_booking_is_a_conflict(ctx):
    """A second truck on an overlapping time of the same dock gets 409; the first booking stands."""
    plant = make_plant()
    first, second = make_load(plant), make_load(plant)
    _book(plant.carrier, first, plant.docks["D1"], MONDAY + H)
    refused = _refusal(lambda: _book(plant.carrier, second, plant.docks["D1"], MONDAY + H + 10 * M))
    assert (refused.status, refused.reason) == (409, "dock_taken")
    assert db.session.query(DockAppointment).filter_by(load_id=second.id).count() == 0
    assert _book(plant.carrier, second, plant.docks["D1"], MONDAY + H + 24 * M).start == MONDAY + H + 24 * M


def test_closed_hours_and_breaks_are_refused_with_the_reason(ctx):
    """A slot that runs into the lunch break or past closing is 422 and names the dock's hours."""
    plant = make_plant(timezone="Europe/Berlin", hours={"mon": [["06:00", "22:00"]]},
                       breaks=[{"day": "mon", "start": "12:00", "end": "12:30"}])
    load = make_load(plant, start=MONDAY, window_hours=14)
    lunch = MONDAY + H + 50 * M  # 11:50 in Berlin; 24 min runs into the 12:00 break
    refused = _refusal(lambda: _book(plant.carrier, load, plant.docks["D1"], lunch))
    assert (refused.status, refused.reason) == (422, "outside_opening_hours")
    assert "mon 06:00-22:00; breaks mon 12:00-12:30 (Europe/Berlin)" in refused.detail
    late = MONDAY + 11 * H + 50 * M  # 21:50 in Berlin
    assert _refusal(lambda: _book(plant.carrier, load, plant.docks["D1"], late)).reason == "outside_opening_hours"
    starts = {s["start"] for s in offered_slots(db.session.get(Load, load.id), plant.site, MONDAY)}
    assert lunch - 5 * M not in starts and MONDAY + 4 * H + 30 * M in starts and late not in starts


def test_a_dock_without_the_equipment_is_refused(ctx):
    """Booking a pallet load on the liquid arm is 422 incompatible_dock with a field error."""
    plant = make_plant()
    load = make_load(plant)
    refused = _refusal(lambda: _book(plant.carrier, load, plant.docks["T1"], MONDAY + H))
    assert (refused.status, refused.reason, refused.errors[0][0]) == (422, "incompatible_dock", "dock_id")


def test_the_carrier_stays_in_its_window_and_the_dock_manager_may_override(ctx):
    """Outside the arrival window the carrier is refused; the plant's dock manager books it anyway."""
    plant = make_plant()
    load = make_load(plant)
    early = MONDAY + 30 * M
    assert _refusal(lambda: _book(plant.carrier, load, plant.docks["D1"], early)).reason == "outside_window"
    assert _book(plant.manager, load, plant.docks["D1"], early).start == early
    assert _refusal(lambda: _book(plant.buyer, load, plant.docks["D1"], early)).status == 403


def test_rescheduling_is_cut_off_before_the_slot_and_after_the_call(ctx):
    """The carrier moves its slot freely until an hour before it; then only the plant can; never once called."""
    plant = make_plant()
    load = make_load(plant)
    first = _book(plant.carrier, load, plant.docks["D1"], MONDAY + 2 * H)
    moved = _book(plant.carrier, load, plant.docks["D2"], MONDAY + 3 * H)
    assert fresh(DockAppointment, first.id).status == "cancelled" and moved.dock_id == plant.docks["D2"].id
    late = MONDAY + 2 * H + 30 * M
    refused = _refusal(lambda: _book(plant.carrier, load, plant.docks["D1"], MONDAY + 4 * H, now=late))
    assert (refused.status, refused.reason) == (409, "too_late_to_reschedule")
    assert _book(plant.manager, load, plant.docks["D1"], MONDAY + 4 * H, now=late).start == MONDAY + 4 * H
    row = db.session.query(DockAppointment).filter_by(load_id=load.id, status="booked").one()
    row.status = "called"
    db.session.commit()
    assert _refusal(lambda: _book(plant.manager, load, plant.docks["D2"], MONDAY + 5 * H)).reason == "already_called"


def test_the_database_refuses_overlapping_appointments_itself(ctx):
    """Rows written past the service still cannot overlap on a dock; cancelled ones and other docks may."""
    plant = make_plant()
    a, b, c = make_load(plant), make_load(plant), make_load(plant)
    d1, d2 = plant.docks["D1"].id, plant.docks["D2"].id
    db.session.add(DockAppointment(load_id=a.id, dock_id=d1, start=MONDAY + H, end=MONDAY + 2 * H, status="booked"))
    db.session.commit()
    db.session.add(DockAppointment(load_id=b.id, dock_id=d1, start=MONDAY + 90 * M, end=MONDAY + 3 * H,
                                   status="booked"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([
        DockAppointment(load_id=b.id, dock_id=d1, start=MONDAY + 90 * M, end=MONDAY + 3 * H, status="cancelled"),
        DockAppointment(load_id=c.id, dock_id=d2, start=MONDAY + 90 * M, end=MONDAY + 3 * H, status="booked"),
        DockAppointment(load_id=b.id, dock_id=d1, start=MONDAY + 2 * H, end=MONDAY + 3 * H, status="booked")])
    db.session.commit()
    row = db.session.query(DockAppointment).filter_by(load_id=c.id).one()
    row.dock_id = d1  # moving it onto the taken dock is refused as well
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_simultaneous_bookings_of_one_slot_yield_one_winner(ctx):
    """Two carriers booking the same dock and time at once: exactly one appointment, the other a 409."""
    plant = make_plant()
    loads = [make_load(plant), make_load(plant)]
    barrier, outcomes = threading.Barrier(2), []

    def attempt(load):
        with ctx.app_context():
            barrier.wait()
            try:
                _book(plant.carrier, load, plant.docks["D1"], MONDAY + H)
                outcomes.append("booked")
            except YardRefused as refused:
                db.session.rollback()
                outcomes.append(refused.reason)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(load,)) for load in loads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked", "dock_taken"]
    assert db.session.query(DockAppointment).filter(DockAppointment.status != "cancelled").count() == 1


def test_cancelling_frees_the_dock(ctx):
    """A cancelled booking no longer blocks the dock, and the visit is cancelled with it."""
    plant = make_plant()
    first, second = make_load(plant), make_load(plant)
    _book(plant.carrier, first, plant.docks["D1"], MONDAY + 2 * H)
    booking.cancel(plant.carrier.principal, db.session.get(Load, first.id), MONDAY)
    assert db.session.query(YardVisit).filter_by(load_id=first.id).one().status == "cancelled"
    assert _book(plant.carrier, second, plant.docks["D1"], MONDAY + 2 * H).start == MONDAY + 2 * H


def test_the_plants_own_loading_rates_set_the_slot_length(ctx):
    """With its own pallet rate (5 min + 1 min a pallet) the plant books 25 min for 20 pallets; bad rates fall back."""
    from server.models import Organisation

    plant = make_plant()
    org = db.session.get(Organisation, plant.seller.id)
    org.settings = {"dock_rates": {"pallet_dock": {"setup": 5, "per_pallet": 1.0}}}
    db.session.commit()
    row = _book(plant.carrier, make_load(plant), plant.docks["D1"], MONDAY + 2 * H)
    assert row.end - row.start == 25 * M
    org = db.session.get(Organisation, plant.seller.id)
    org.settings = {"dock_rates": {"pallet_dock": {"setup": -1}}}
    db.session.commit()
    row = _book(plant.carrier, make_load(plant), plant.docks["D2"], MONDAY + 2 * H)
    assert row.end - row.start == 24 * M


def test_a_window_opening_between_minutes_offers_no_earlier_slot(ctx):
    """A window opening at 09:00:30 offers 09:15 first, and a booking of its exact opening time is accepted."""
    plant = make_plant()
    opening = MONDAY + H + timedelta(seconds=30)
    load = make_load(plant, start=opening)
    slots = offered_slots(db.session.get(Load, load.id), plant.site, MONDAY)
    assert min(s["start"] for s in slots) == MONDAY + H + 15 * M
    assert _book(plant.carrier, load, plant.docks["D1"], opening).start == MONDAY + H
