"""Simulated drivers: the driver app's Kivy-free core on a simulated GPS, publishing over MQTT.

Each truck on a load gets a phone: a device credential made by the carrier's dispatcher
(POST /api/v1/device-credentials), the app's `DriverMqttClient` with those credentials, its
on-disk `PositionOutbox` and `PublishPolicy`, wired by `TrackingService`, exactly as on a
phone. The GPS is `SimulatedGps`, driving the planned route one leg at a time (to the pickup,
later to the delivery) at the demo's pace. Its fixes carry real time, since the server keeps
real time; the truck drives ``speed`` times faster instead. A parked truck still reports now
and then, as a phone does.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import replace
from pathlib import Path

from driver_app.core.api_models import MqttSettings
from driver_app.core.mqtt_client import DriverMqttClient
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.positions import Fix
from driver_app.core.publish_policy import PolicySettings, PublishPolicy
from driver_app.core.simulated_gps import SimulatedGps
from driver_app.core.tracking import TrackingService
from server.demo import pace as steps
from server.demo.cast import Carrier, LatLon
from server.demo.pace import Pace

log = logging.getLogger("haul.demo")

FIX_INTERVAL_S = 1.0  # real seconds between GPS fixes


class LegGps:
    """A `GpsProvider` that drives one leg at a time with a `SimulatedGps`, and remembers where it is."""

    def __init__(self, speed_mps: float, start: LatLon, pace: Pace):
        self.speed_mps, self.pace = speed_mps, pace
        self.position: LatLon = start
        self._callback = None
        self._sim: SimulatedGps | None = None

    def start(self, callback) -> None:
        self._callback = callback

    def stop(self) -> None:
        if self._sim is not None:
            self._sim.stop()

    def drive(self, waypoints: list[LatLon]) -> None:
        self.stop()
        self._sim = SimulatedGps([self.position, *waypoints], speed_mps=self.speed_mps, interval_s=FIX_INTERVAL_S)
        self._sim.start(self._on_fix)

    @property
    def driving(self) -> bool:
        return self._sim is not None and self._sim.running

    def _on_fix(self, fix: Fix) -> None:
        self.position = (fix.lat, fix.lon)
        if self._callback is not None:  # stamped with the demo's time (a headless run's is simulated)
            rate = getattr(self.pace.now, "speed", 1.0)  # a simulated clock: the truck's speed in its time
            self._callback(replace(fix, t_ms=self.pace.now_ms(), speed=fix.speed / rate if fix.speed else fix.speed))


class Phone:
    """One driver's phone for one load: tracking from the first leg until it is switched off."""

    def __init__(self, carrier: Carrier, load: dict, mqtt_url: str, folder: Path, pace: Pace, start: LatLon):
        self.carrier, self.load_id, self.reference = carrier, load["id"], load["reference"]
        self.vehicle_id, self.driver_id = load["vehicle_id"], load["driver_id"]
        self.plate = next((v["plate"] for v in carrier.vehicles if v["id"] == self.vehicle_id), str(self.vehicle_id))
        self.legs_done = 0
        self.leg_started = 0
        username, secret = self._credential()
        settings = MqttSettings(url=mqtt_url, username=username, password=secret,
                                vehicle_id=str(self.vehicle_id), driver_id=str(self.driver_id))
        self.mqtt = DriverMqttClient(settings, client_id=f"haul-demo-load{self.load_id}", protocol="3.1.1")
        self.mqtt.on_inbox("*", self._heard)
        folder.mkdir(parents=True, exist_ok=True)
        self.outbox = PositionOutbox(folder / f"outbox-vehicle{self.vehicle_id}.sqlite")
        heartbeat = max(FIX_INTERVAL_S, pace.real_s(steps.PARKED_HEARTBEAT))
        policy = PublishPolicy(PolicySettings(interval_s=FIX_INTERVAL_S, min_distance_m=10.0, heartbeat_s=heartbeat))
        self.pace = pace
        self.gps = LegGps(pace.truck_mps(), start, pace)
        self.tracking = TrackingService(self.gps, self.outbox, self.mqtt, policy=policy)
        self.tracking.start()

    def _credential(self) -> tuple[str, str]:
        """A fresh device login for the truck; the demo's earlier ones for it are revoked."""
        session = self.carrier.session
        prefix = f"demo-vehicle{self.vehicle_id}-"
        for old in session.items("/api/v1/device-credentials"):
            if old["username"].startswith(prefix) and not old["revoked_at"]:
                session.delete(f"/api/v1/device-credentials/{old['id']}")
        made = session.post("/api/v1/device-credentials", {"vehicle_id": self.vehicle_id, "driver_id": self.driver_id,
                                                           "username": prefix + secrets.token_hex(3)})
        return made["username"], made["secret"]

    def _heard(self, message: dict) -> None:
        """Inbox messages (dock calls, queue moves, re-plans) reach the phone over MQTT; say so."""
        if "position" in message:
            detail = f"position {message['position']}"
        else:
            detail = message.get("dock_name") or message.get("reference") or ""
        log.info("demo: the phone in truck %s got a %s message %s", self.plate, message.get("_type"), detail)

    def drive(self, waypoints: list[LatLon]) -> None:
        self.gps.drive(waypoints)
        self.leg_started = time.monotonic()

    @property
    def driving(self) -> bool:
        return self.gps.driving

    def report_parked(self) -> None:
        """A parked truck's phone keeps reporting its place; the publish policy spaces the reports."""
        lat, lon = self.gps.position
        self.tracking.on_fix(Fix(t_ms=self.pace.now_ms(), lat=lat, lon=lon, speed=0.0, acc=5.0, batt=80.0))

    def waiting(self) -> int:
        return self.outbox.count()

    def switch_off(self) -> None:
        self.tracking.stop()
        self.outbox.close()


class Drivers:
    """Every phone of the day, by load: started, driven leg by leg, switched off after delivery."""

    def __init__(self, pace: Pace, mqtt_url: str, folder: Path):
        self.pace, self.mqtt_url, self.folder = pace, mqtt_url, folder
        self.phones: dict[int, Phone] = {}

    def phone(self, load_id: int) -> Phone | None:
        return self.phones.get(load_id)

    def start(self, carrier: Carrier, load: dict, at: LatLon) -> Phone:
        for other in [p for p in self.phones.values() if p.vehicle_id == load["vehicle_id"]]:
            self.switch_off(other.load_id)  # one phone per truck
        phone = Phone(carrier, load, self.mqtt_url, self.folder, self.pace, at)
        self.phones[load["id"]] = phone
        return phone

    def arrived(self, load_id: int, leg: int) -> bool:
        """Whether the truck of ``load_id`` finished its ``leg``-th leg (1: at the pickup, 2: at the delivery)."""
        phone = self.phones.get(load_id)
        return phone is not None and phone.legs_done >= leg

    def tick(self) -> None:
        for phone in list(self.phones.values()):
            if phone.leg_started and not phone.driving and phone.legs_done < 2 and \
                    time.monotonic() - phone.leg_started > FIX_INTERVAL_S:
                phone.legs_done += 1
                phone.leg_started = 0
                log.info("demo: truck %s of %s has arrived at the %s", phone.plate, phone.carrier.name,
                         "pickup" if phone.legs_done == 1 else "delivery")
            if not phone.driving:
                phone.report_parked()

    def switch_off(self, load_id: int) -> None:
        phone = self.phones.pop(load_id, None)
        if phone is not None:
            waiting = phone.waiting()
            phone.switch_off()
            log.info("demo: the driver of truck %s switched tracking off (%d positions still queued)", phone.plate,
                     waiting)

    def switch_all_off(self) -> None:
        for load_id in list(self.phones):
            try:
                self.switch_off(load_id)
            except Exception:  # stopping must go on for the other phones
                log.exception("demo: could not switch off the phone of load %s", load_id)
