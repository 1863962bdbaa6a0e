"""The driver's day as a plain state machine that Kivy screens observe.

signed out -> signed in -> today (assignments) -> load selected -> at gate (checked in, queue
position) -> called to dock N -> loading -> evidence -> departed -> delivered (POD), then back
to today for the next load. Signing out or an expired session returns to signed out from
anywhere. Each change notifies observers (``subscribe``); they are called on the thread that
made the change, so Kivy code hops to the UI thread itself.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from typing import Any

from driver_app.core.i18n import Msg

log = logging.getLogger(__name__)


class Step(enum.Enum):
    SIGNED_OUT = "signed_out"
    SIGNED_IN = "signed_in"
    TODAY = "today"
    LOAD_SELECTED = "load_selected"
    AT_GATE = "at_gate"
    CALLED_TO_DOCK = "called_to_dock"
    LOADING = "loading"
    EVIDENCE = "evidence"
    DEPARTED = "departed"
    DELIVERED = "delivered"


S = Step
# event -> (steps it is allowed from, step it leads to)
TRANSITIONS: dict[str, tuple[frozenset[Step], Step]] = {
    "sign_in": (frozenset({S.SIGNED_OUT}), S.SIGNED_IN),
    "show_today": (frozenset({S.SIGNED_IN, S.TODAY, S.LOAD_SELECTED, S.DELIVERED}), S.TODAY),
    "select_load": (frozenset({S.TODAY, S.LOAD_SELECTED}), S.LOAD_SELECTED),
    "check_in": (frozenset({S.LOAD_SELECTED}), S.AT_GATE),
    "queue_moved": (frozenset({S.AT_GATE}), S.AT_GATE),
    "call_to_dock": (frozenset({S.AT_GATE, S.CALLED_TO_DOCK}), S.CALLED_TO_DOCK),
    "start_loading": (frozenset({S.CALLED_TO_DOCK}), S.LOADING),
    "record_evidence": (frozenset({S.LOADING}), S.EVIDENCE),
    "depart": (frozenset({S.EVIDENCE}), S.DEPARTED),
    "deliver": (frozenset({S.DEPARTED}), S.DELIVERED),
}

TITLES: dict[Step, Msg] = {
    S.SIGNED_OUT: Msg("Signed out"),
    S.SIGNED_IN: Msg("Signed in"),
    S.TODAY: Msg("Today's loads"),
    S.LOAD_SELECTED: Msg("Load {load}"),
    S.AT_GATE: Msg("At the gate: number {position} in the queue"),
    S.CALLED_TO_DOCK: Msg("Go to dock {dock}"),
    S.LOADING: Msg("Loading at dock {dock}"),
    S.EVIDENCE: Msg("Record the loading evidence"),
    S.DEPARTED: Msg("On the way to {destination}"),
    S.DELIVERED: Msg("Delivered"),
}


def go_to_dock(dock: str | None) -> Msg:
    """"Go to dock 3" for a numbered dock, "Go to Arm A" for a named one (never "Go to dock Dock 2")."""
    dock = str(dock or "")
    return Msg("Go to dock {dock}", dock=dock) if dock.isdigit() or not dock else Msg("Go to {dock}", dock=dock)


class InvalidTransition(ValueError):
    """An event that does not fit the current step (a UI bug or a stale server message)."""

    def __init__(self, event: str, step: Step):
        self.event, self.step = event, step
        super().__init__(f"cannot {event} while {step.value}")


class DriverDay:
    """The state the driver app shows: the step, the data of that step and the connection."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._observers: list[Callable[[DriverDay], None]] = []
        self.step = Step.SIGNED_OUT
        self.user: Any = None
        self.online = False
        self.positions_waiting = 0
        self.submissions_waiting = 0
        self.notice: Msg | None = None
        self._clear_day()

    def _clear_day(self) -> None:
        self.assignments: list[dict[str, Any]] = []
        self._clear_load()

    def _clear_load(self) -> None:
        self.load: dict[str, Any] | None = None
        self.visit: dict[str, Any] | None = None
        self.queue_position: int | None = None
        self.dock: str | None = None
        self.evidence: dict[str, Any] | None = None
        self.pod: dict[str, Any] | None = None

    # -- observers -----------------------------------------------------------------------

    def subscribe(self, observer: Callable[[DriverDay], None]) -> Callable[[], None]:
        """Call ``observer(day)`` after every change; returns a function that unsubscribes."""
        with self._lock:
            self._observers.append(observer)

        def unsubscribe() -> None:
            with self._lock:
                if observer in self._observers:
                    self._observers.remove(observer)

        return unsubscribe

    def _notify(self) -> None:
        for observer in list(self._observers):
            try:
                observer(self)
            except Exception:  # one broken screen must not break the others
                log.exception("state observer failed")

    def _go(self, event: str, clear_load: bool = False, **changes: Any) -> None:
        with self._lock:
            allowed, target = TRANSITIONS[event]
            if self.step not in allowed:
                raise InvalidTransition(event, self.step)
            if clear_load:
                self._clear_load()
            self.step = target
            for name, value in changes.items():
                setattr(self, name, value)
        self._notify()

    def can(self, event: str) -> bool:
        return self.step in TRANSITIONS[event][0]

    # -- transitions ---------------------------------------------------------------------

    def sign_in(self, user: Any) -> None:
        self._go("sign_in", user=user, notice=None)

    def show_today(self, assignments: list[dict[str, Any]]) -> None:
        """Show (or refresh) the day's loads; leaving a load or a delivered load forgets it."""
        self._go("show_today", clear_load=True, assignments=list(assignments))

    def select_load(self, load: dict[str, Any]) -> None:
        self._go("select_load", clear_load=True, load=dict(load))

    def check_in(self, visit: dict[str, Any], queue_position: int | None = None) -> None:
        position = queue_position if queue_position is not None else visit.get("queue_position")
        self._go("check_in", visit=dict(visit), queue_position=position)

    def queue_moved(self, queue_position: int) -> None:
        self._go("queue_moved", queue_position=queue_position)

    def call_to_dock(self, dock: str) -> None:
        self._go("call_to_dock", dock=str(dock), queue_position=None)

    def start_loading(self) -> None:
        self._go("start_loading")

    def record_evidence(self, evidence: dict[str, Any]) -> None:
        self._go("record_evidence", evidence=dict(evidence))

    def depart(self) -> None:
        self._go("depart")

    def deliver(self, pod: dict[str, Any]) -> None:
        self._go("deliver", pod=dict(pod))

    def sign_out(self, notice: Msg | None = None) -> None:
        """Back to signed out from any step (``notice`` says why, e.g. the session expired)."""
        with self._lock:
            self.step = Step.SIGNED_OUT
            self.user = None
            self.notice = notice
            self._clear_day()
        self._notify()

    def session_expired(self) -> None:
        self.sign_out(Msg("Your session has expired. Please sign in again."))

    # -- connection status (any step) ----------------------------------------------------

    def set_connection(
        self,
        online: bool | None = None,
        positions_waiting: int | None = None,
        submissions_waiting: int | None = None,
    ) -> None:
        with self._lock:
            before = (self.online, self.positions_waiting, self.submissions_waiting)
            if online is not None:
                self.online = online
            if positions_waiting is not None:
                self.positions_waiting = positions_waiting
            if submissions_waiting is not None:
                self.submissions_waiting = submissions_waiting
            changed = before != (self.online, self.positions_waiting, self.submissions_waiting)
        if changed:
            self._notify()

    def patch_load(self, load_id: Any, **fields: Any) -> None:
        """Change ``fields`` of one of the day's loads (a slot moved, an authorization withdrawn), in the
        list and in the selected load; new objects, so screens see the change. Unknown loads are ignored."""
        with self._lock:
            key = str(load_id)
            changed = False
            assignments = []
            for load in self.assignments:
                if str(load.get("id")) == key:
                    load, changed = {**load, **fields}, True
                assignments.append(load)
            self.assignments = assignments
            if self.load is not None and str(self.load.get("id")) == key:
                self.load, changed = {**self.load, **fields}, True
        if changed:
            self._notify()

    def set_notice(self, notice: Msg | None) -> None:
        """A one-line message for the driver (a re-plan, an error); None clears it."""
        with self._lock:
            self.notice = notice
        self._notify()

    # -- text for screens ----------------------------------------------------------------

    def title(self, _: Callable[[str], str] | None = None) -> str:
        load = self.load or {}
        params = {
            "load": load.get("reference") or load.get("id") or "",
            "position": self.queue_position if self.queue_position is not None else "?",
            "dock": self.dock or "",
            "destination": load.get("delivery_site_name") or load.get("destination") or "",
        }
        if self.step is Step.CALLED_TO_DOCK:
            return go_to_dock(self.dock).render(_)
        template = TITLES[self.step]
        return Msg(template.msgid, **params).render(_)

    def status_line(self, _: Callable[[str], str] | None = None) -> str:
        """E.g. "Online", or "Offline · 12 positions waiting"."""
        parts = [(Msg("Online") if self.online else Msg("Offline")).render(_)]
        if self.positions_waiting:
            parts.append(
                Msg.plural("{n} position waiting", "{n} positions waiting", self.positions_waiting).render(_)
            )
        if self.submissions_waiting:
            parts.append(
                Msg.plural(
                    "{n} report waiting to send", "{n} reports waiting to send", self.submissions_waiting
                ).render(_)
            )
        return " · ".join(parts)
