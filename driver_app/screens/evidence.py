"""Evidence: photos, weigh-ticket number and weights, seals and samples, queued when offline."""

from __future__ import annotations

import os

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from driver_app.core.app_state import Step
from driver_app.core.validation import FormInvalid
from driver_app.glue.load_view import load_title
from driver_app.screens.widgets import HaulScreen


class EvidenceScreen(HaulScreen):
    load_title = StringProperty("")
    recorded = BooleanProperty(False)
    photos = ListProperty([])
    photo_names = ListProperty([])
    photo_stamps = ListProperty([])

    def update(self, day) -> None:
        self.load_title = load_title(day.load or {})
        recorded = day.step is Step.EVIDENCE
        if self.recorded and not recorded:
            self._clear()
        self.recorded = recorded

    def _clear(self) -> None:
        for name in ("ticket_number", "tare", "gross", "seals", "samples", "notes"):
            self.ids[name].text = ""
        self.photos, self.photo_names, self.photo_stamps = [], [], []
        self.field_errors = {}

    def add_photo(self) -> None:
        self.app.take_photo(self._photo_taken)

    def _photo_taken(self, path: str | None) -> None:
        if path:
            self.photos.append(path)
            self.photo_names.append(os.path.basename(path))
            self.photo_stamps.append({"file": os.path.basename(path), **self.controller.tracker.stamp()})

    def save(self) -> None:
        data = {
            "ticket_number": self.ids.ticket_number.text,
            "tare_kg": self.ids.tare.text,
            "gross_kg": self.ids.gross.text,
            "seal_numbers": self.ids.seals.text,
            "sample_ids": self.ids.samples.text,
            "notes": self.ids.notes.text,
            "photos": list(self.photos),
            "photo_stamps": list(self.photo_stamps),
        }
        self.start()
        try:
            self.controller.submit_evidence(data, on_ok=self.done, on_error=self.failed)
        except FormInvalid as exc:
            self.form_errors(exc)

    def depart(self) -> None:
        self.controller.depart()
