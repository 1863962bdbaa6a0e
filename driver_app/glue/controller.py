"""The actions the driver's screens call, over the Kivy-free core (itself Kivy-free).

Every network call goes through ``runner.run(fn, on_ok, on_error)``: the Kivy app passes a
runner that calls ``fn`` on a worker thread and reports on the UI thread; tests pass one that
calls at once. Failures reach ``on_error`` as a message to show (:func:`explain`): a typed
core error becomes its translated sentence, or the server's own words for a refused request,
and a missing endpoint becomes "not available on this server". An expired session signs the
driver out from anywhere. Form problems raise ``FormInvalid`` at once, before any call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from driver_app.core import errors
from driver_app.core.app_state import DriverDay, Step
from driver_app.core.i18n import Msg, english
from driver_app.core.notices import NoticeList
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.rest_client import ApiClient
from driver_app.core.session_store import SessionStore
from driver_app.core.sqlite_db import SqliteFile
from driver_app.core.stops import merge_stops
from driver_app.core.submission_outbox import SubmissionOutbox
from driver_app.core.validation import FormInvalid
from driver_app.glue.alerts import DockCallAlert
from driver_app.glue.explain import OnError, OnOk, Runner, endpoint_missing, explain
from driver_app.glue.load_view import (
    authorization_for,
    pickup_authorization_token,
    visit_called_dock,
    visit_queue_position,
)
from driver_app.glue.messages_actions import MessagesActions
from driver_app.glue.session_actions import SessionActions
from driver_app.glue.settings_store import DriverSettings, SettingsStore, with_gps
from driver_app.glue.submissions import QUEUED, SubmissionDesk
from driver_app.glue.tracking_glue import Tracker
from driver_app.platform_services.interface import PlatformServices

log = logging.getLogger(__name__)

class DriverController(SessionActions, MessagesActions):
    """Owns the driver's day, the API client, the outboxes and tracking; screens call its actions."""

    def __init__(self, data_dir: str | Path, runner: Runner, services: PlatformServices | None = None,
                 sound: Callable[[], None] | None = None, timeout: float | tuple[float, float] = (5.0, 20.0)):
        self.data_dir = Path(data_dir)
        self.runner = runner
        self.timeout = timeout
        self.store = SettingsStore(self.data_dir / "settings.json")
        self.settings: DriverSettings = self.store.load()
        self.sessions = SessionStore(self.data_dir / "session.json")
        self.translate: Callable[[str], str] = english
        self.day = DriverDay()
        self.client: ApiClient | None = None
        db = SqliteFile(self.data_dir / "outbox.sqlite")
        self.desk = SubmissionDesk(SubmissionOutbox(db), self.day)
        self.notices = NoticeList(db)  # the driver's Messages, kept across restarts
        self.tracker = Tracker(PositionOutbox(db), self.day, self.settings.policy(), self.notices)
        self.alert = DockCallAlert(services, sound)
        self._alerted_for: tuple[Any, str] | None = None
        self.day.subscribe(self._on_day)

    # -- calling the server ----------------------------------------------------------------

    def _call(self, fn: Callable[[ApiClient], Any], on_ok: OnOk, on_error: OnError,
              then: Callable[[Any], Any] | None = None) -> None:
        client = self.client
        if client is None:
            if on_error:
                on_error(Msg("Your session has expired. Please sign in again."))
            return

        def ok(result: Any) -> None:
            if then is not None:
                result = then(result)
            if on_ok:
                on_ok(result)

        self.runner.run(lambda: fn(client), ok, lambda exc: self._failed(exc, on_error))

    def _failed(self, exc: BaseException, on_error: OnError) -> None:
        if isinstance(exc, errors.SessionExpired) and self.client is not None:
            self.sign_out(expired=True)
        if on_error:
            on_error(explain(exc))

    # -- the day's loads -------------------------------------------------------------------

    def refresh_today(self, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Fetch the day's loads (on a server without driver assignments, the carrier's loads), then
        the driver's notifications."""

        def fetch(client: ApiClient) -> list[dict[str, Any]]:
            try:
                return client.assignments()
            except errors.NotFound as exc:
                if not endpoint_missing(exc):
                    raise
                return client._list(client.call("loads"))

        def show(loads: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if self.day.can("show_today"):
                self.day.show_today(loads)
            self.refresh_notices()
            return loads

        self._call(fetch, on_ok, on_error, then=show)

    def open_load(self, load: dict[str, Any], on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Show ``load`` at once, then its full details from the server."""
        self.day.select_load(load)
        load_id = str(load.get("id"))

        def detail(full: dict[str, Any]) -> dict[str, Any]:
            current = self.day.load or {}
            if self.day.step is Step.LOAD_SELECTED and str(current.get("id")) == load_id:
                self.day.select_load({**load, **full, "stops": merge_stops(load.get("stops"), full.get("stops"))})
            return full

        def fetch(client: ApiClient) -> dict[str, Any]:
            full = client.load(load_id)
            if not pickup_authorization_token({**load, **full}):
                try:
                    found = authorization_for(load_id, client._list(client.call("pickup_authorizations")))
                except errors.NotFound as exc:
                    if not endpoint_missing(exc):
                        raise
                    found = None
                if found is not None:
                    full["pickup_authorization"] = found
            return full

        self._call(fetch, on_ok, on_error, then=detail)

    def back_to_today(self) -> None:
        if self.day.can("show_today"):
            self.day.show_today(self.day.assignments)

    # -- load board ------------------------------------------------------------------------

    def load_board(self, on_ok: OnOk = None, on_error: OnError = None) -> None:
        self._call(lambda c: c.board(), on_ok, on_error)

    def grab(self, tender_id: str, on_ok: OnOk = None, on_error: OnError = None) -> None:
        self._call(lambda c: c.grab_tender(tender_id), on_ok, on_error)

    def bid(self, tender_id: str, price_text: str, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Bid ``price_text`` (euros); raises ``FormInvalid`` on field ``price`` when not a positive number."""
        try:
            price = float(str(price_text).strip().replace(" ", ""))
        except ValueError:
            price = -1.0
        if not price > 0 or price == float("inf"):
            raise FormInvalid([("price", Msg("Enter a price above zero."))])
        self._call(lambda c: c.bid_tender(tender_id, price), on_ok, on_error)

    # -- at the gate -------------------------------------------------------------------------

    def check_in(self, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Check in at the gate with the load's pickup authorization."""
        load = self.day.load or {}
        token = pickup_authorization_token(load)
        if not token:
            if on_error:
                on_error(Msg("No pickup authorization for this load yet. Ask your dispatcher."))
            return
        self._call(lambda c: c.yard_checkin(str(load.get("id")), token), on_ok, on_error,
                   then=self._apply_visit)

    def poll_visit(self, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Re-read the yard visit (the MQTT inbox is faster; this covers a lost connection)."""
        visit = self.day.visit or {}
        if visit.get("id") is None or self.day.step is not Step.AT_GATE:
            return
        self._call(lambda c: c.yard_visit(str(visit["id"])), on_ok, on_error, then=self._apply_visit)

    def _apply_visit(self, visit: dict[str, Any]) -> dict[str, Any]:
        if self.day.can("check_in"):
            self.day.check_in(visit, visit_queue_position(visit))
        dock = visit_called_dock(visit)
        if dock is not None and self.day.can("call_to_dock"):
            self.day.call_to_dock(dock)
        elif (position := visit_queue_position(visit)) is not None and self.day.can("queue_moved"):
            self.day.queue_moved(position)
        return visit

    def start_loading(self) -> None:
        if self.day.can("start_loading"):
            self.day.start_loading()

    def _on_day(self, day: DriverDay) -> None:
        # Observers run on the thread that changed the day (paho's, for an inbox dock call).
        if day.step is Step.CALLED_TO_DOCK and self._alerted_for != ((day.load or {}).get("id"), day.dock):
            self._alerted_for = ((day.load or {}).get("id"), day.dock or "")
            self.alert(self.translate("Haul"), day.title(self.translate))

    # -- evidence and proof of delivery ------------------------------------------------------

    def submit_evidence(self, data: dict[str, Any], on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Validate (``FormInvalid`` at once), save to the outbox, move on, then try to send."""
        self.desk.evidence(data, self.tracker.stamp())
        self.flush_outbox(on_ok, on_error)

    def depart(self) -> None:
        if self.day.can("depart"):
            self.day.depart()

    def submit_pod(self, data: dict[str, Any], on_ok: OnOk = None, on_error: OnError = None,
                   stop_id: Any = None) -> None:
        """Like evidence; on a multi-drop load for the stop ``stop_id`` (``core.stops``)."""
        self.desk.pod(data, self.tracker.stamp(), stop_id)
        self.flush_outbox(on_ok, on_error)

    def flush_outbox(self, on_ok: OnOk = None, on_error: OnError = None) -> None:
        """Send queued submissions; ``on_ok(message)`` says what became of them."""
        if self.client is None or self.desk.busy:
            if on_ok:
                on_ok(QUEUED if self.desk.count() else None)
            return
        self.desk.busy = True

        def done(result: Any) -> None:
            self.desk.busy = False
            shown = self.desk.report(result, explain)
            if on_ok:
                on_ok(shown)

        def failed(exc: BaseException) -> None:
            self.desk.busy = False
            self._failed(exc, on_error)

        client = self.client
        self.runner.run(lambda: self.desk.outbox.flush(client), done, failed)

    # -- tracking --------------------------------------------------------------------------

    def simulate(self, load: dict[str, Any] | None = None, speed_mps: float = 13.9,
                 interval_s: float = 1.0) -> None:
        """Drive the load's route (or a demo route) with the simulated GPS (desktop demos)."""
        from driver_app.core.simulated_gps import SimulatedGps

        route = self.tracker.route_for(load or self.day.load or {})
        self.tracker.start(SimulatedGps(route, speed_mps=speed_mps, interval_s=interval_s))

    def simulate_load(self, load_id: str) -> None:
        """Fetch load ``load_id`` and drive its route (the demo route when it cannot be read)."""
        self._call(lambda c: c.load(load_id), lambda load: self.simulate(load),
                   lambda _m: self.simulate({"id": load_id}))

    # -- settings ------------------------------------------------------------------------------

    def _save(self, **changes: Any) -> None:
        from dataclasses import replace

        self.settings = replace(self.settings, **changes)
        try:
            self.store.save(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    def set_language(self, lang: str) -> None:
        self._save(language=lang)
        if self.client is not None:
            self.client.set_language(lang)

    def set_gps(self, interval_text: str, distance_text: str) -> None:
        """Apply and save the GPS interval and distance filter; ``FormInvalid`` when out of range."""
        self.settings = with_gps(self.settings, interval_text, distance_text)
        self._save()
        self.tracker.set_policy(self.settings.policy())

