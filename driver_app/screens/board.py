"""Load board: nearby loads the carrier may take, grabbed at a fixed price or bid on, kept live."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from driver_app.core.i18n import Msg
from driver_app.core.validation import FormInvalid
from driver_app.glue.load_view import tender_line
from driver_app.screens.widgets import HaulScreen

POLL_S = 15.0  # "live": the board is re-read this often while it is on screen


class TenderCard(BoxLayout):
    tender_id = StringProperty("")
    title = StringProperty("")
    where = StringProperty("")
    mode = StringProperty("")
    price = StringProperty("")
    distance = StringProperty("")
    deadline = StringProperty("")
    pickup = StringProperty("")
    message = ObjectProperty(None, allownone=True)
    message_ok = BooleanProperty(False)
    busy = BooleanProperty(False)
    screen = ObjectProperty(None)


class BoardScreen(HaulScreen):
    empty = BooleanProperty(True)
    _poll = None

    def on_enter(self, *args) -> None:
        self.refresh()
        self._poll = Clock.schedule_interval(lambda _dt: self.refresh(quiet=True), POLL_S)

    def on_leave(self, *args) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def refresh(self, quiet: bool = False) -> None:
        if self.busy:
            return
        if not quiet:
            self.start()
        self.busy = True
        self.controller.load_board(on_ok=self._show, on_error=self.failed)

    def _show(self, tenders: list[dict]) -> None:
        self.done()
        messages = {card.tender_id: card.message for card in self.ids.tenders.children}
        self.ids.tenders.clear_widgets()
        for tender in tenders:
            line = tender_line(tender)
            line["tender_id"] = line.pop("id")
            self.ids.tenders.add_widget(TenderCard(screen=self, message=messages.get(line["tender_id"]), **line))
        self.empty = not tenders

    def grab(self, card: TenderCard) -> None:
        card.busy, card.message = True, None
        self.controller.grab(card.tender_id, on_ok=lambda _r: self._taken(card, Msg("The load is yours.")),
                             on_error=lambda m: self._refused(card, m))

    def bid(self, card: TenderCard, price: str) -> None:
        card.busy, card.message = True, None
        try:
            self.controller.bid(card.tender_id, price, on_ok=lambda _r: self._taken(card, Msg("Your bid is in.")),
                                on_error=lambda m: self._refused(card, m))
        except FormInvalid as exc:
            self._refused(card, exc.errors[0][1])

    def _taken(self, card: TenderCard, message: Msg) -> None:
        card.busy, card.message_ok, card.message = False, True, message

    def _refused(self, card: TenderCard, message) -> None:
        card.busy, card.message_ok, card.message = False, False, message
