"""Load: stops with addresses, time windows and navigation links, the pickup QR, the documents."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from driver_app.glue import load_view
from driver_app.screens.widgets import HaulScreen


class StopCard(BoxLayout):
    kind = StringProperty("")
    name = StringProperty("")
    address = StringProperty("")
    window = StringProperty("")
    link = StringProperty("")


class LoadScreen(HaulScreen):
    title = StringProperty("")
    status = StringProperty("")
    slot = StringProperty("")  # "D2, 09:37 CET": the plant's clock with its zone
    queue = StringProperty("")
    qr_caption = StringProperty("")  # the server's words for the code: where, when (plant's clock), which truck
    has_qr = BooleanProperty(False)
    has_documents = BooleanProperty(False)
    _shown: dict | None = None
    _qr_token: str | None = None

    def update(self, day) -> None:
        load = day.load
        if load is None or load is self._shown:
            return
        if self._shown is not None and str(self._shown.get("id")) != str(load.get("id")):
            self.message = None
        self._shown = load
        self.title = load_view.load_title(load)
        status = str(load.get("status") or "")
        self.status = load_view.STATUS_TEXT.get(status, status)
        self.slot = load_view.dock_slot(load)
        self.queue = str(load_view.queue_position(load) or "")
        self.ids.stops.clear_widgets()
        for stop in load_view.stops(load):
            link = self.app.services.navigation_link(stop) or ""
            self.ids.stops.add_widget(StopCard(kind=stop["kind"], name=stop["name"], address=stop["address"],
                                               window=stop["window"], link=link))
        self._show_qr(load_view.pickup_authorization_token(load))
        self.qr_caption = load_view.pickup_caption(load)
        self._show_documents(load_view.documents(load))

    def _show_qr(self, token: str | None) -> None:
        self.has_qr = bool(token)
        if token and token != self._qr_token:
            from driver_app.glue.qr_texture import qr_texture

            self.ids.qr.texture = qr_texture(token)
        self._qr_token = token

    def _show_documents(self, docs: list[dict[str, str]]) -> None:
        from kivy.factory import Factory

        self.ids.documents.clear_widgets()
        for doc in docs:
            button = Factory.FlatButton(text=doc["name"] or doc["url"], disabled=not doc["url"])
            button.bind(on_release=lambda _b, url=doc["url"]: self.app.open_link(url))
            self.ids.documents.add_widget(button)
        self.has_documents = bool(docs)
