"""Tests for gps_ingest.ordering: the per-vehicle reorder buffer."""

from __future__ import annotations

from gps_ingest.ordering import OrderStep
from gps_ingest.settings import IngestSettings


def order_step(clock, **settings):
    return OrderStep(IngestSettings(**settings), clock)


def seconds_of(positions, now):
    return [int((p.time - now).total_seconds()) for p in positions]


def test_fixes_wait_for_the_hold_window(clock, make_fix, now):
    """Nothing is released before reorder_hold_s; then everything due comes out in time order."""
    step = order_step(clock, reorder_hold_s=5)
    step.hold(make_fix(seconds=-10))
    clock.advance(4)
    assert step.release() == []
    clock.advance(1)
    assert seconds_of(step.release(), now) == [-10]
    assert step.held() == 0


def test_late_batch_is_replayed_before_newer_fixes(clock, make_fix, now):
    """A batch of older fixes arriving within the window is released first, in time order."""
    step = order_step(clock, reorder_hold_s=5)
    step.hold(make_fix(seconds=-5))  # live fix
    clock.advance(3)
    for s in (-30, -50, -40):  # the offline batch shows up late and shuffled
        step.hold(make_fix(seconds=s))
    clock.advance(2)
    released = step.release()
    assert seconds_of(released, now) == [-50, -40, -30, -5]
    assert not any(p.late for p in released)


def test_a_fix_older_than_one_already_released_is_marked_late(clock, make_fix, now):
    """Fixes arriving after newer ones were released are still released, marked late."""
    step = order_step(clock, reorder_hold_s=1)
    step.hold(make_fix(seconds=-5))
    clock.advance(1)
    step.release()
    step.hold(make_fix(seconds=-20))
    step.hold(make_fix(seconds=-1))
    clock.advance(1)
    released = step.release()
    assert [(s, p.late) for s, p in zip(seconds_of(released, now), released, strict=True)] == [
        (-20, True),
        (-1, False),
    ]


def test_young_fixes_older_than_a_due_one_come_out_with_it(clock, make_fix, now):
    """When a fix is due, held fixes of the same vehicle that are not newer are released too."""
    step = order_step(clock, reorder_hold_s=5)
    step.hold(make_fix(seconds=-5))
    clock.advance(5)
    step.hold(make_fix(seconds=-9))  # just arrived, older than the due fix
    step.hold(make_fix(seconds=-1))  # just arrived, newer: keeps waiting
    assert seconds_of(step.release(), now) == [-9, -5]
    assert step.held() == 1


def test_overfull_vehicle_releases_its_oldest_early(clock, make_fix, now):
    """Beyond reorder_max_held fixes, a vehicle's oldest fixes are released without waiting."""
    step = order_step(clock, reorder_hold_s=60, reorder_max_held=2)
    for s in (-1, -3, -2, -4):
        step.hold(make_fix(seconds=s))
    assert seconds_of(step.release(), now) == [-4, -3]
    assert step.held() == 2


def test_drain_releases_everything_and_vehicles_are_independent(clock, make_fix):
    """drain empties the buffer; each vehicle keeps its own time order."""
    step = order_step(clock, reorder_hold_s=60)
    step.hold(make_fix("truck-2", seconds=-1))
    step.hold(make_fix("truck-1", seconds=-3))
    step.hold(make_fix("truck-2", seconds=-2))
    released = step.release(drain=True)
    by_vehicle = {}
    for p in released:
        by_vehicle.setdefault(p.vehicle_id, []).append(p.time)
    assert all(times == sorted(times) for times in by_vehicle.values())
    assert len(released) == 3 and step.held() == 0
