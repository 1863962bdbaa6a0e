"""Stand-by: a dock whose booked truck is not there when its slot starts takes a truck waiting on site.

A dock office does not leave a dock standing empty for a truck that has not turned up while
another truck waits at the gate: when a slot starts and its truck is not on site, the dock calls
the truck on site with the earliest appointment (the one that set out first) that it can load
now without running into the dock's next appointment or a break. That truck's own slot comes
free: the absent truck takes it when it fits there (a few minutes late, it waits on site for
it), otherwise the absent truck is *bumped* (it keeps its place at the head of the stand-by line
when it comes, and its grace period still runs from the slot it missed) and the freed slot is
offered in turn, when it starts, to the next truck on site. So a no-show's or a late truck's
dock time is used by the queue on site at once instead of after the grace period, and a truck
a few minutes late no longer pushes every truck booked behind it on its dock.
"""

from __future__ import annotations

import heapq

from server.bench.appointments.day_state import EXPECTED, GRACE_OVER, ON_SITE, Truck
from server.engines.docks import DockProblem, without_loads
from server.engines.docks.construct import timelines
from server.engines.docks.step_back import Plan, next_gap, pull_up, step_back
from server.engines.docks.timeline import DockTimeline

HOLE_ORDER = 4  # a freed slot is offered after the minute's arrivals, slot starts and grace periods
NEXT_ON_FREED_DOCK = 3  # appointments after a freed slot that may move up into it


def waiting_on_site(trucks: list[Truck], plan: Plan, now: int) -> list[Truck]:
    """Trucks on site not yet loading, in the order they set out for their slots (stand-by order)."""
    waiting = [t for t in trucks if t.status == ON_SITE and (t.index not in plan or plan[t.index][1] > now)]
    return sorted(waiting, key=lambda t: (t.aim if t.aim is not None else t.requested, t.gate_in, t.index))


def _fits_now(problem: DockProblem, plan: Plan, line: DockTimeline, truck: Truck, dock: int, now: int) -> bool:
    """Whether ``truck`` can load on ``dock`` from ``now`` (its own booking there set aside)."""
    minutes = problem.duration[truck.index].get(dock)
    if minutes is None:
        return False
    own = plan.get(truck.index)
    if own is not None and own[0] == dock:
        line.remove(own[1], own[1] + problem.duration[truck.index][dock])
    fits = line.fits_at(now, minutes)
    if own is not None and own[0] == dock:
        line.add(own[1], own[1] + problem.duration[truck.index][dock])
    return fits


def call_standby(problem: DockProblem, plan: Plan, trucks: list[Truck], dock: int, now: int,
                 absent: int | None = None, swap_within: int = 0) -> tuple[int, tuple[int, int] | None] | None:
    """Call the first truck waiting on site that ``dock`` can load now (``absent``'s slot counts as free).

    With ``absent``, only a truck whose own slot starts within ``swap_within`` minutes and fits the
    absent truck is called, and the two swap: a truck a few minutes late loses at most that long.
    Updates ``plan`` and returns (the truck called, the slot it left: dock and start, or None),
    or None when nobody on site fits.
    """
    skip = {absent} if absent is not None else set()
    line = timelines(problem, plan, skip=skip)[dock]
    for truck in waiting_on_site(trucks, plan, now):
        left = plan.get(truck.index)
        if absent is not None and (left is None or left[1] > now + swap_within):
            continue
        if not _fits_now(problem, plan, line, truck, dock, now):
            continue
        if absent is None:
            plan[truck.index] = (dock, now)
            return truck.index, left
        missed = plan.pop(absent)
        plan[truck.index] = (dock, now)
        if fits_slot(problem, plan, absent, left):
            plan[absent] = left
            return truck.index, None
        plan[truck.index], plan[absent] = left, missed  # no swap: as it was
    return None


def fits_slot(problem: DockProblem, plan: Plan, i: int, slot: tuple[int, int]) -> bool:
    """Whether load ``i`` fits at ``slot`` (dock, start) among the other appointments of ``plan``."""
    dock, start = slot
    minutes = problem.duration[i].get(dock)
    return minutes is not None and timelines(problem, plan, skip={i})[dock].fits_at(start, minutes)


class StandbyDay:
    """The stand-by rules of :class:`~server.bench.appointments.live_day.LiveDay` (which it is mixed
    into: the plan, trucks, rules, outcome, events and ``_tell``, ``_replan`` are the day's)."""

    def _release(self, truck: Truck, dock: int) -> None:
        """Announced late: its slot is freed while the trucks booked after it can still be told to come
        sooner, and it gets the first gap from its ETA on, moving nobody (it waits for it off site)."""
        self.outcome.released += 1
        if self.rules.step_back:
            moved, place = step_back(self.problem, self.plan, truck.index, truck.eta, self._movable_from)
            self.outcome.moves += len(moved)
            for j in moved:
                self._tell(self.trucks[j])
            if place is not None:
                self._take_place(truck.index, place)
            self._tell(truck)
            return
        del self.plan[truck.index]
        gap = next_gap(self.problem, self.plan, truck.index, truck.eta)
        if gap is not None:
            self.plan[truck.index] = gap
        self._replan(self._next_on(dock))
        self._tell(truck)

    def _take_place(self, i: int, place: tuple[int, int]) -> None:
        """Book load ``i`` at ``place``; the trucks booked there behind it slide back just enough."""
        dock, start = place
        end = start + self.problem.duration[i][dock]
        in_the_way = [j for j, (d, s) in self.plan.items()
                      if d == dock and s < end and start < s + self.problem.duration[j][d]]
        if in_the_way:
            self._shift_behind(dock, end, in_the_way)
        self.plan[i] = place

    def _release_no_trip(self, truck: Truck) -> None:
        """Its GPS shows the trip not started ``notice_min`` before the slot: the booking is cancelled (a
        truck that turns up after all is a walk-in) and the trucks behind it move up into its time."""
        slot = self.plan.pop(truck.index)
        truck.status, truck.version = GRACE_OVER, truck.version + 1
        self.problem = without_loads(self.base, self._written_off())
        self.outcome.no_trip_released += 1
        moved, _ = pull_up(self.problem, self.plan, slot[0], slot[1], self._movable_from)
        self.outcome.moves += len(moved)
        for j in moved:
            self._tell(self.trucks[j])

    def _pull_up(self, dock: int) -> None:
        """A no-show's slot is given up: the trucks booked behind it on its dock that can still be told
        move up into the time it leaves, each as far as it can."""
        moved, _ = pull_up(self.problem, self.plan, dock, self.now, self._movable_from)
        self.outcome.moves += len(moved)
        for j in moved:
            self._tell(self.trucks[j])

    def _movable_from(self, j: int) -> int | None:
        """The earliest start truck ``j`` may be moved up to now, or None: called, loading, or on the road
        and too close to the gate to keep to a new time."""
        truck, slot = self.trucks[j], self.plan.get(j)
        if slot is None or slot[1] <= self.now + self.rules.called_min:
            return None
        if truck.status == ON_SITE:
            return self.now
        if truck.status != EXPECTED or (truck.gate is not None and self.now > truck.gate - self.rules.react_min):
            return None
        return self._earliest(truck)

    def _on_slot(self, truck: Truck) -> None:
        """Its slot starts and it is not here: a truck waiting on site takes the dock (stand-by)."""
        slot = self.plan.get(truck.index)
        if truck.status != EXPECTED or slot is None or slot[1] != self.now:
            return
        called = call_standby(self.problem, self.plan, self.trucks, slot[0], self.now, absent=truck.index,
                              swap_within=self.rules.grace_min)
        if called is None:
            return
        self.outcome.standby_calls += 1
        self.outcome.bumped += truck.bumped_at is None
        truck.bumped_at = slot[1] if truck.bumped_at is None else truck.bumped_at
        self._tell(truck)  # it has the slot of the truck that took its dock

    def _on_hole(self, dock: int) -> None:
        """A slot given up by a stand-by truck starts: the next truck on site may take it."""
        called = call_standby(self.problem, self.plan, self.trucks, dock, self.now)
        if called is None:
            return
        self.outcome.standby_calls += 1
        left = called[1]
        if left is not None and left[1] > self.now:
            self._push_hole(*left)

    def _push_hole(self, dock: int, at: int) -> None:
        heapq.heappush(self.events, (at, HOLE_ORDER, next(self.sequence), "hole", dock, 0))

    def _next_on(self, dock: int) -> list[int]:
        """The appointments on ``dock`` not yet called that may move up into time freed there."""
        after = sorted((start, i) for i, (d, start) in self.plan.items()
                       if d == dock and start > self.now + self.rules.called_min)
        return [i for _, i in after[:NEXT_ON_FREED_DOCK]]
