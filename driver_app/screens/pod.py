"""Proof of delivery: the receiver's signature, photos, received quantity and exceptions.

On a multi-drop load the proof is one stop's: the screen names the stop it signs (the truck's
stop if its position says so, else the next in sequence; "Another stop" picks a different
one), and after each signed stop shows the next, until the last one delivers the load.
"""

from __future__ import annotations

import os
import time

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.scrollview import ScrollView

from driver_app.core.app_state import Step
from driver_app.core.stops import delivery_stops, find_stop, next_stop, stop_label, unsigned
from driver_app.core.validation import FormInvalid
from driver_app.glue.load_view import load_title
from driver_app.glue.signature_pad import SignaturePad  # noqa: F401 - registers the kv class
from driver_app.screens.widgets import HaulScreen

EXCEPTIONS = ("damage", "shortage", "refused")


class SignatureScroll(ScrollView):
    """A ScrollView that hands touches on the signature pad straight to it: signing never scrolls."""

    pad = ObjectProperty(None, allownone=True)

    def on_scroll_start(self, touch, check_children=True):
        pad = self.pad
        if pad is not None and not pad.disabled and pad.collide_point(*pad.to_widget(*touch.pos)):
            return self.simulate_touch_down(touch)
        return super().on_scroll_start(touch, check_children)


class PodScreen(HaulScreen):
    load_title = StringProperty("")
    departed = BooleanProperty(False)
    delivered = BooleanProperty(False)
    photos = ListProperty([])
    photo_stamps = ListProperty([])
    # A multi-drop load: the stop being signed (its id and label), and how many are signed of how many.
    multi_drop = BooleanProperty(False)
    stop_id = ObjectProperty(None, allownone=True)
    stop_text = ObjectProperty(None, allownone=True)
    stops_signed = NumericProperty(0)
    stops_total = NumericProperty(0)
    stops_left = NumericProperty(0)

    def update(self, day) -> None:
        self.load_title = load_title(day.load or {})
        self.departed = day.step is Step.DEPARTED
        delivered = day.step is Step.DELIVERED
        if self.delivered and not delivered:
            self._clear()
        self.delivered = delivered
        self._show_stop(day.load or {})

    def _show_stop(self, load: dict) -> None:
        stops, left = delivery_stops(load), unsigned(load)
        signed_before = self.stops_signed
        self.multi_drop = bool(stops)
        self.stops_total, self.stops_left, self.stops_signed = len(stops), len(left), len(stops) - len(left)
        if self.multi_drop and self.stops_signed > signed_before and self.stops_left:
            self._clear()  # the last stop is signed: a fresh form for the next one
        current = find_stop(load, self.stop_id)
        if current is None or current.get("signed"):
            current = next_stop(load, self._position())
        self.stop_id = current["id"] if current else None
        self.stop_text = stop_label(current, load) if current else None

    def _position(self) -> dict | None:
        fix = getattr(self.controller.tracker, "last_fix", None)
        return {"lat": fix.lat, "lon": fix.lon} if fix is not None else None

    def other_stop(self) -> None:
        """Sign another unsigned stop than the one offered (the driver knows where the truck is)."""
        load = self.controller.day.load or {}
        left = unsigned(load)
        if len(left) < 2:
            return
        ids = [s["id"] for s in left]
        following = left[(ids.index(self.stop_id) + 1) % len(left)] if self.stop_id in ids else left[0]
        self.stop_id, self.stop_text = following["id"], stop_label(following, load)

    def _clear(self) -> None:
        for name in ("receiver", "quantity", "exception_note"):
            self.ids[name].text = ""
        self.ids.signature.clear()
        self.ids.exc_none.state = "down"
        for kind in EXCEPTIONS:
            self.ids[f"exc_{kind}"].state = "normal"
        self.photos, self.photo_stamps = [], []
        self.field_errors = {}

    def add_photo(self) -> None:
        self.app.take_photo(self._photo_taken)

    def _photo_taken(self, path: str | None) -> None:
        if path:
            self.photos.append(path)
            self.photo_stamps.append({"file": os.path.basename(path), **self.controller.tracker.stamp()})

    def exception_kind(self) -> str | None:
        return next((kind for kind in EXCEPTIONS if self.ids[f"exc_{kind}"].state == "down"), None)

    def confirm(self) -> None:
        signature = ""
        if self.ids.signature.signed:
            path = os.path.join(self.app.data_dir, "signatures", f"signature-{int(time.time() * 1000)}.png")
            signature = self.ids.signature.export(path)
        kind = self.exception_kind()
        data = {
            "receiver_name": self.ids.receiver.text,
            "received_quantity": self.ids.quantity.text,
            "signature": signature,
            "has_exception": kind is not None,
            "exception_kind": kind,
            "exception_note": self.ids.exception_note.text,
            "photos": list(self.photos),
            "photo_stamps": list(self.photo_stamps),
        }
        self.start()
        try:
            self.controller.submit_pod(data, on_ok=self.done, on_error=self.failed,
                                       stop_id=self.stop_id if self.multi_drop else None)
        except FormInvalid as exc:
            self.form_errors(exc)
