"""The demo day's director: a loop that looks at every load of the day and has its next step taken.

It is a reconciler: each tick it reads the day's loads from the API (as the seller sees them)
and lets each actor take the step the load's status calls for. So a restarted demo resumes
wherever the database says the day is, and nothing is done twice. An error in one step is
logged and retried on a later tick; it never stops the loop, nor the server around it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from server.demo import orders
from server.demo import pace as steps
from server.demo.api import ApiError
from server.demo.cast import Cast, prepare_plant, prepare_trading
from server.demo.drivers import Drivers
from server.demo.erp import subscribe
from server.demo.market import Market
from server.demo.pace import Pace, Timers
from server.demo.pickup import Pickup
from server.demo.report import Tally
from server.demo.routes import RoutePlanner
from server.demo.settlement import Settlement
from server.demo.state import DayState, StateFile
from server.demo.transport import HttpFactory, over_http
from server.demo.yard import Yard

log = logging.getLogger("haul.demo")

TICK_S = 0.5
DONE = ("delivered", "closed", "cancelled")
REPEAT_QUIET_S = 30.0  # the same error from the same step is logged again only after this


class Director:
    """Runs the demo days in a background thread until ``stop`` (or, given ``days``, until that many
    days are done). ``http`` says how the simulated users reach the server (over HTTP, or in-process
    for a headless run); ``tick_s`` is the loop's pace in real seconds."""

    def __init__(self, base_url: str, pace: Pace, folder: Path, mqtt_url: str, http: HttpFactory = over_http,
                 tick_s: float = TICK_S, days: int | None = None, erp_webhook_url: str | None = None):
        self.base_url, self.pace, self.folder = base_url, pace, Path(folder)
        self.mqtt_url, self.http, self.tick_s, self.days = mqtt_url, http, tick_s, days
        self.erp_webhook_url = erp_webhook_url  # where the seller's ERP takes Haul's webhooks, if anywhere
        self.tally = Tally()
        self.states = StateFile(self.folder)
        self.state = self.states.load()
        self.timers = Timers(pace)
        self.drivers = Drivers(pace, mqtt_url, self.folder)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_error: dict[str, tuple[str, float]] = {}
        self.cast: Cast | None = None
        self.ticks = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Director:
        self._thread = threading.Thread(target=self.run, name="haul-demo-director", daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout_s: float) -> None:
        """Until the run ends by itself (its ``days`` are done) or ``timeout_s`` passed."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self) -> None:
        try:
            if not self._wait_for_server() or not self._assemble():
                return
            while not self._stop.is_set() and not (self.days and self.tally.days >= self.days):
                started = time.monotonic()
                self.tick()
                self.ticks += 1
                self._stop.wait(max(0.01, self.tick_s - (time.monotonic() - started)))
        except Exception:  # the director must never take the server down with it
            log.exception("demo: the director stopped on an unexpected error; the server keeps running")
        finally:
            self.drivers.switch_all_off()
            if self.cast is not None:
                self.cast.close()

    def _wait_for_server(self) -> bool:
        http = self.http()
        while not self._stop.is_set():
            try:
                if http.get(self.base_url + "/healthz", timeout=2).ok:
                    return True
            except OSError:  # requests' errors are OSErrors: the server is not up yet
                pass
            self._stop.wait(0.2)
        return False

    def _assemble(self) -> bool:
        while not self._stop.is_set():
            try:
                self.cast = Cast.assemble(self.base_url, self.http)
                prepare_plant(self.cast.seller)
                prepare_trading(self.cast)
                if self.erp_webhook_url:
                    subscribe(self.cast.seller.session, self.erp_webhook_url)
                log.info("demo: %d buyers, %d carriers and the plant's dock manager are signed in; "
                         "the day runs at %s", len(self.cast.buyers), len(self.cast.carriers), self.pace.describe())
                self.market = Market(self.cast, self.pace, self.timers, random.Random(self.state.day))
                self.routes = RoutePlanner(self.cast)
                self.routes.routes.update({int(k): [tuple(p) for p in v] for k, v in self.state.routes.items()})
                self.pickup = Pickup(self.cast, self.pace.now)
                self.yard = Yard(self.cast, self.timers, self.drivers, random.Random(self.state.day + 1))
                self.settlement = Settlement(self.cast, self.pace.now)
                if self.state.open:
                    log.info("demo: resuming day %d (%d loads)", self.state.day, len(self.state.load_ids))
                else:
                    self.timers.expire(("day", self.state.day))  # a new start begins the next day at once
                return True
            except (ApiError, RuntimeError) as exc:
                self._report("sign-in", exc)
                self._stop.wait(2.0)
        return False

    # -- one tick --------------------------------------------------------------------------
    def tick(self) -> None:
        if not self._safely("day", self._ensure_day) or not self.state.load_ids:
            return
        loads = self._read_loads()
        if loads is None:
            return
        order = [i for i in self.state.load_ids if i in loads]
        self._safely("market", lambda: self.market.tick(loads, order))
        self._safely("routes", lambda: self._plan_routes(loads))
        self._safely("pickup", lambda: self.pickup.tick(loads))
        self._safely("drivers", lambda: self._drive(loads))
        self._safely("yard", lambda: self.yard.tick(loads))
        self._safely("settlement", lambda: self.settlement.tick(loads))
        if self.state.open and loads and all(load["status"] in DONE for load in loads.values()):
            self._finish_day(loads)

    def _safely(self, step: str, action) -> bool:
        try:
            action()
            return True
        except Exception as exc:  # logged, retried on a later tick
            self._report(step, exc)
            return False

    def _report(self, step: str, exc: Exception) -> None:
        text = str(exc)
        self.tally.failed(step, text)
        last = self._last_error.get(step)
        if last is None or last[0] != text or time.monotonic() - last[1] > REPEAT_QUIET_S:
            self._last_error[step] = (text, time.monotonic())
            if isinstance(exc, ApiError | RuntimeError):
                log.warning("demo: %s step failed, will retry: %s", step, text)
            else:
                log.exception("demo: %s step failed, will retry", step)

    def _ensure_day(self) -> None:
        state = self.state
        if not state.open:
            if state.finished_at and not self.timers.due(("day", state.day), steps.BETWEEN_DAYS):
                return
            self.state = state = DayState(day=state.day + 1, started_at=datetime.now(UTC).isoformat())
            self.states.save(state)
            log.info("demo: day %d begins", state.day)
        if not state.order_ids:
            state.order_ids = orders.post_orders(self.cast, state, self.pace.now())
            self.tally.orders += len(state.order_ids)
            self.states.save(state)
        if not state.load_ids:
            state.load_ids = orders.build_loads(self.cast, state)
            if not state.load_ids:  # the day's orders sit on an earlier demo's loads (its state file is gone)
                log.info("demo: day %d was played before in this database; moving on to day %d", state.day,
                         state.day + 1)
                self.state = DayState(day=state.day + 1, started_at=datetime.now(UTC).isoformat())
            self.states.save(self.state)

    def _read_loads(self) -> dict[int, dict] | None:
        loads, missing = {}, 0
        for load_id in self.state.load_ids:
            try:
                loads[load_id] = self.cast.seller.session.get(f"/api/v1/loads/{load_id}")
            except ApiError as exc:
                if exc.status != 404:
                    self._report("read", exc)
                    return None
                missing += 1
        if missing == len(self.state.load_ids):
            log.warning("demo: the loads of day %d are gone from the database; starting a new day", self.state.day)
            self.state.finished_at = datetime.now(UTC).isoformat()
            self.states.save(self.state)
            return None
        return loads

    def _plan_routes(self, loads: dict[int, dict]) -> None:
        before = len(self.routes.routes)
        self.routes.tick(loads)
        if len(self.routes.routes) != before:
            self.state.routes = {str(k): [list(p) for p in v] for k, v in self.routes.routes.items()
                                 if k in loads}
            self.states.save(self.state)

    def _drive(self, loads: dict[int, dict]) -> None:
        plant = self.cast.seller.plant
        for load in loads.values():
            status, phone, route = load["status"], self.drivers.phone(load["id"]), self.routes.route(load["id"])
            carrier = self.cast.carriers.get(load.get("carrier_id"))
            if status in DONE or status in ("draft", "tendered", "awarded", "assigned"):
                if phone is not None and (status not in DONE or self.timers.due((load["id"], "off"),
                                                                                steps.AFTER_DELIVERY)):
                    self.drivers.switch_off(load["id"])
                continue
            if carrier is None or route is None or not load.get("vehicle_id"):
                continue
            if phone is None:
                resumed = status != "authorized"
                phone = self.drivers.start(carrier, load, plant if resumed else route[0])
                if resumed:  # a restarted demo: the truck was at the plant already, or left it
                    phone.legs_done = 1
                else:
                    phone.drive(route[1:2])
                    log.info("demo: truck %s of %s is on its way to the plant for %s", phone.plate, carrier.name,
                             load["reference"])
            if status == "in_transit" and phone.legs_done == 1 and not phone.driving and not phone.leg_started:
                phone.drive(route[2:] or [plant])
                log.info("demo: truck %s is on its way to the buyer with %s", phone.plate, load["reference"])
        self.drivers.tick()

    def _finish_day(self, loads: dict[int, dict]) -> None:
        delivered = sum(load["status"] in ("delivered", "closed") for load in loads.values())
        self._safely("statement", lambda: self.settlement.close_day(self.pace.now().date()))
        self.state.finished_at = datetime.now(UTC).isoformat()
        self.states.save(self.state)
        self.tally.day_done(len(loads), delivered)
        for load_id in loads:
            self.timers.clear_load(load_id)
        log.info("demo: day %d is done: %d of %d loads delivered; the next day starts in %g simulated minutes",
                 self.state.day, delivered, len(loads), steps.BETWEEN_DAYS)
