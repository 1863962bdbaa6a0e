"""A plant day with appointments, event by event: trucks keep (or miss) their slots, Haul re-plans live.

Every truck is told the slot of the day's solve before it leaves and aims at it with its
own :class:`~server.bench.appointments.behaviour.Behaviour`. Then, in time order:

* **ETA notice** (a late truck whose GPS reports, or a trip that never starts): the late truck
  steps back behind the trucks booked on its dock before its ETA, which move up
  (``engines.docks.step_back``, as the plant's ``yard/pull_up.py`` does); a no-show sharing GPS
  is released ``react_min`` ahead and the trucks behind it move up.
* **Slot start, its truck not here** (``standby``): a truck waiting on site takes the dock and
  the absent one its slot (``standby.py``); a freed no-show slot calls the first truck on site.
* **Gate-in** (drivers are asked to come ``ahead_min`` before their slot): a truck that finds
  a compatible dock free now starts at once (the dock manager calls it in, no re-plan); an
  early one otherwise waits on site for its slot; one late inside the grace period starts on
  its dock at once and the trucks booked behind it there slide back (then Haul re-plans them);
  one whose slot is gone gets the next gap from a re-plan, and when that is ``react_min`` or
  more away it leaves with its new slot and waits off site, as a truck told ahead would.
* **Grace over** (``grace_min`` after a slot's start, the truck not here): a no-show; the
  slot is freed and Haul re-plans so waiting trucks and trucks still on the road (told at
  least ``react_min`` ahead) can take it. A truck that still turns up later is a walk-in.

Each re-plan is the engine's :func:`~server.engines.docks.replan` on the whole day: loads
started, called (``called_min``) or held in their grace period are frozen; every other
truck may start no earlier than now, a truck on the road no earlier than ``react_min`` from
now (nor than its GPS ETA), and a truck that is told a new time at least ``react_min``
before it would reach the gate keeps to it; later than that it comes as it was coming.
"""

from __future__ import annotations

import heapq
import itertools
import time

from server.bench.appointments.behaviour import LATE, NO_SHOW, Behaviour
from server.bench.appointments.day_state import (
    EXPECTED,
    GRACE_OVER,
    ON_SITE,
    DayOutcome,
    LiveRules,
    Truck,
    TruckDay,
)
from server.bench.appointments.standby import HOLE_ORDER, StandbyDay
from server.engines.common import Limits
from server.engines.docks import (
    Appointment,
    DockProblem,
    DockResult,
    ObjectiveParts,
    replan,
    with_arrivals,
    without_loads,
)
from server.engines.docks.construct import timelines
from server.engines.docks.timeline import earliest_fit

WAITING_IN_CENTRE = 8  # trucks waiting on site that join a re-plan's centre (the longest waits first)
_ORDER = {"notice": 0, "gate": 1, "slot": 2, "grace": 3, "hole": HOLE_ORDER}  # events of one minute in this order


class LiveDay(StandbyDay):
    """Play one day; :meth:`run` returns the :class:`DayOutcome`."""

    def __init__(self, problem: DockProblem, booked: DockResult, behaviour: dict[str, Behaviour],
                 rules: LiveRules | None = None):
        self.base, self.problem, self.rules = problem, problem, rules or LiveRules()
        self.plan = {problem.load_index[a.load_id]: (problem.dock_index[a.dock_id], a.start)
                     for a in booked.appointments}
        self.trucks = [Truck(load.id, i, load.arrival, behaviour[load.id]) for i, load in enumerate(problem.loads)]
        self.events: list = []
        self.sequence = itertools.count()
        self.now = min([problem.day_start, *(a.start for a in booked.appointments)]) - 24 * 60
        self.outcome = DayOutcome([])
        for truck in self.trucks:
            self._tell(truck)

    # -- events ------------------------------------------------------------------------------
    def run(self) -> DayOutcome:
        while self.events:
            at, _, _, kind, i, version = heapq.heappop(self.events)
            if kind == "hole":  # i is a dock here
                self.now = max(self.now, at)
                self._on_hole(i)
                continue
            truck = self.trucks[i]
            if version == truck.version:
                self.now = max(self.now, at)
                getattr(self, f"_on_{kind}")(truck)
        self.outcome.trucks = [self._day_of(truck) for truck in self.trucks]
        return self.outcome

    def _push(self, at: int, kind: str, truck: Truck) -> None:
        heapq.heappush(self.events, (at, _ORDER[kind], next(self.sequence), kind, truck.index, truck.version))

    def _tell(self, truck: Truck) -> None:
        """The truck learns its (possibly new) slot; re-schedule what it and the plant will do."""
        if truck.status != EXPECTED:
            return
        truck.version += 1
        slot = self.plan.get(truck.index)
        kept_to = truck.gate is None or self.now <= truck.gate - self.rules.react_min
        if slot is not None and kept_to and truck.behaviour.kind != NO_SHOW:
            truck.aim = slot[1]
            truck.gate = self._gate_for(truck, slot[1])
            truck.bumped_at = None  # told in time: it comes for the new slot
        elif slot is not None and truck.aim is None:
            truck.aim = slot[1]
        elif slot is None and truck.gate is None and truck.behaviour.kind != NO_SHOW:
            truck.gate = truck.requested  # booked nowhere: it comes when it asked to, as without Haul
        if truck.gate is not None:
            self._push(truck.gate, "gate", truck)
        if truck.behaviour.announced and truck.eta is None and (truck.behaviour.kind == LATE or (
                slot is not None and self.rules.no_trip_release)):  # GPS: late, or the trip never starts
            watched = truck.aim if truck.behaviour.kind == LATE else slot[1]
            self._push(max(self.now, watched - self.rules.notice_min), "notice", truck)
        if slot is not None and slot[1] >= self.now and self.rules.standby:
            self._push(slot[1], "slot", truck)
        if truck.bumped_at is not None:  # the grace period runs from the slot it missed
            self._push(truck.bumped_at + self.rules.grace_min, "grace", truck)
        elif slot is not None:
            self._push(slot[1] + self.rules.grace_min, "grace", truck)

    def _gate_for(self, truck: Truck, start: int) -> int:
        """When a truck aiming at a slot starting at ``start`` passes the gate."""
        if truck.eta is not None:  # late and known: it cannot come sooner, and need not come earlier
            return max(truck.eta, start - self.rules.ahead_min)
        if truck.behaviour.kind == LATE:
            return start + truck.behaviour.delta
        return start - self.rules.ahead_min + truck.behaviour.delta

    def _on_notice(self, truck: Truck) -> None:
        if truck.behaviour.kind == NO_SHOW:
            self._release_no_trip(truck)
            return
        truck.eta = truck.gate
        slot = self.plan.get(truck.index)
        if self.rules.standby and slot is not None and truck.eta > slot[1]:
            self._release(truck, slot[0])
        elif slot is None or truck.eta > slot[1]:
            self._replan([truck.index])
        else:
            self._tell(truck)

    def _on_gate(self, truck: Truck) -> None:
        was_written_off = truck.status == GRACE_OVER
        truck.status, truck.gate_in, truck.version = ON_SITE, self.now, truck.version + 1
        if was_written_off:
            self.problem = without_loads(self.base, self._written_off())
        slot = self.plan.get(truck.index)
        if slot is not None and slot[1] == self.now:
            return
        late = slot is None or slot[1] < self.now
        free = self._dock_free_now(truck.index)
        if free is not None:
            self.plan[truck.index] = (free, self.now)
            self.outcome.called_in_early += not late
            self.outcome.walk_ins += slot is None
        elif slot is None:
            self.outcome.walk_ins += 1
            self._replan([truck.index])
            self._send_to_wait_off_site(truck)
        elif late:
            self._start_late(truck, slot[0])

    def _send_to_wait_off_site(self, truck: Truck) -> None:
        """A walk-in whose new slot is ``react_min`` or more away leaves the gate with it, like any truck
        told its slot ahead, and comes back for it (its wait counts in its delay, not on site)."""
        slot = self.plan.get(truck.index)
        if slot is None or slot[1] - self.now < self.rules.react_min:
            return
        truck.status, truck.gate_in, truck.gate = EXPECTED, None, None
        truck.eta = self.now  # here already: it can come back at any time
        self.outcome.sent_off_site += 1
        self._tell(truck)

    def _start_late(self, truck: Truck, dock: int) -> None:
        """A truck late inside its grace period starts on its dock now; the trucks booked behind it
        there and not yet loading make room (or, if the dock cannot take it now, it gets the next gap)."""
        i, now = truck.index, self.now
        end = now + self.problem.duration[i][dock]
        if any(s < end and now < e for s, e in self.problem.closed[dock]):
            self._replan([i])
            return
        in_the_way = [j for j, (d, start) in self.plan.items()
                      if d == dock and j != i and start < end and now < start + self.problem.duration[j][d]]
        if any(self.plan[j][1] <= now for j in in_the_way):  # someone is loading there already
            self._replan([i])
            return
        self.plan[i] = (dock, now)
        self._replan(self._shift_behind(dock, end, in_the_way), held={i})

    def _shift_behind(self, dock: int, free_from: int, in_the_way: list[int]) -> list[int]:
        """Slide the appointments behind a late start on ``dock`` just far enough (past breaks too),
        as a dock does; returns the loads that moved (those that no longer fit today are unbooked)."""
        closed = self.problem.closed[dock]
        starts, ends = [s for s, _ in closed], [e for _, e in closed]
        moved, cursor = [], free_from
        behind = sorted((start, j) for j, (d, start) in self.plan.items() if d == dock and start >= min(
            [self.plan[k][1] for k in in_the_way] or [cursor]))
        for start, j in behind:
            if start >= cursor:
                break
            minutes = self.problem.duration[j][dock]
            new = earliest_fit(starts, ends, cursor, minutes, self.problem.horizon)
            if new is None:
                del self.plan[j]
            else:
                self.plan[j] = (dock, new)
                cursor = new + minutes
            moved.append(j)
        self.outcome.moves += len(moved)
        for j in moved:
            self._tell(self.trucks[j])
        return moved

    def _on_grace(self, truck: Truck) -> None:
        slot = self.plan.pop(truck.index, None)
        truck.status, truck.version = GRACE_OVER, truck.version + 1
        if truck.gate is not None:  # late and unannounced: it turns up as a walk-in
            self._push(truck.gate, "gate", truck)
        self.outcome.grace_over += 1
        self.problem = without_loads(self.base, self._written_off())
        if slot is None:
            return
        if self.rules.standby:
            self._on_hole(slot[0])  # the freed dock calls the first truck waiting on site
        if self.rules.pull_up:
            self._pull_up(slot[0])
        else:
            self._replan(self._next_on(slot[0]))

    # -- helpers -----------------------------------------------------------------------------
    def _written_off(self) -> list[str]:
        return [t.load_id for t in self.trucks if t.status == GRACE_OVER]

    def _dock_free_now(self, i: int) -> int | None:
        """A compatible dock where load ``i`` fits from now, earliest finish first."""
        lines = timelines(self.problem, self.plan, skip={i})
        fits = [(self.now + minutes, len(self.problem.docks[d].equipment), d)
                for d, minutes in self.problem.options[i] if lines[d].fits_at(self.now, minutes)]
        return min(fits)[2] if fits else None

    def _replan(self, centre: list[int], held: set[int] = frozenset()) -> None:
        """Re-plan the whole day around ``centre`` (plus the longest waits on site) and tell whoever moved;
        ``held`` appointments stay where they are whatever their time."""
        now, rules, problem = self.now, self.rules, self.problem
        frozen = {i for i, (_, start) in self.plan.items() if start <= now + rules.called_min} - set(centre)
        frozen |= held
        waiting = sorted((self.plan[t.index][1], t.index) for t in self.trucks
                         if t.status == ON_SITE and t.index in self.plan and t.index not in frozen)
        centre = list(dict.fromkeys([*centre, *(i for _, i in reversed(waiting[-WAITING_IN_CENTRE:]))]))
        centre = [i for i in centre if i not in frozen]
        if not centre:
            return
        started = time.perf_counter()
        arrivals = {truck.load_id: self._earliest(truck) for truck in self.trucks
                    if truck.index not in frozen and truck.status != GRACE_OVER}
        amended = with_arrivals(problem, arrivals)
        duration = problem.duration
        told = tuple(Appointment(problem.loads[i].id, problem.docks[d].id, start, start + duration[i][d], 0, 0)
                     for i, (d, start) in self.plan.items())
        previous = DockResult("feasible", ObjectiveParts(0, 0, 0, 0, 0, 0), told, (), 0.0)
        outcome = replan(amended, previous, changed=[problem.loads[i].id for i in centre],
                         frozen=[problem.loads[i].id for i in frozen], compact=True,
                         limits=Limits(time_limit_s=self._budget_left(started), seed=rules.seed, threads=1))
        self.outcome.replan_seconds.append(time.perf_counter() - started)
        self.plan = {problem.load_index[a.load_id]: (problem.dock_index[a.dock_id], a.start)
                     for a in outcome.result.appointments}
        self.outcome.moves += len(outcome.moved)
        # A centre truck that kept its slot still has its events re-scheduled.
        for i in dict.fromkeys([*(problem.load_index[move.load_id] for move in outcome.moved), *centre]):
            self._tell(self.trucks[i])

    def _budget_left(self, started: float) -> float:
        """What is left of the re-plan's time limit after preparing its input (the limit covers both)."""
        return max(0.05, self.rules.replan_limit_s - (time.perf_counter() - started))

    def _earliest(self, truck: Truck) -> int:
        """The earliest start Haul may give a truck now: here, on the road, or late by its GPS ETA."""
        if truck.status == ON_SITE:
            return self.now
        slot = self.plan.get(truck.index)
        reachable = self.now + self.rules.react_min
        earliest = max(truck.requested, self.now, min(slot[1], reachable) if slot else reachable)
        return max(earliest, truck.eta) if truck.eta is not None else earliest

    def _day_of(self, truck: Truck) -> TruckDay:
        slot = self.plan.get(truck.index) if truck.status == ON_SITE else None
        end = slot[1] + self.problem.duration[truck.index][slot[0]] if slot else None
        return TruckDay(truck.load_id, truck.behaviour.kind, truck.requested, truck.aim, truck.gate_in,
                        slot[1] if slot else None, end, self.problem.docks[slot[0]].id if slot else None)


def play_day(problem: DockProblem, booked: DockResult, behaviour: dict[str, Behaviour],
             rules: LiveRules | None = None) -> DayOutcome:
    """Play the day of ``booked`` appointments with the drivers' ``behaviour``."""
    return LiveDay(problem, booked, behaviour, rules).run()
