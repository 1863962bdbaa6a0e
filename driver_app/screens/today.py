"""Today: the loads assigned for the day, each with pickup time, dock slot and status."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from driver_app.core.i18n import Msg
from driver_app.glue.load_view import assignment_line
from driver_app.screens.widgets import HaulScreen


class LoadRow(ButtonBehavior, BoxLayout):
    """One load; tapping it opens the load."""

    title = StringProperty("")
    status = StringProperty("")
    where = StringProperty("")
    pickup = StringProperty("")
    dock = StringProperty("")
    queue = StringProperty("")
    load = DictProperty({})

    def on_release(self) -> None:
        from kivy.app import App

        App.get_running_app().root_screen("today").open(self.load)


class PullToRefresh(ScrollView):
    """A ScrollView that fires ``on_pull`` when the list is pulled down from its top."""

    pull_distance = NumericProperty(dp(70))
    __events__ = ("on_pull",)

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            at_top = self.scroll_y >= 0.999 or self.viewport_size[1] <= self.height
            touch.ud.setdefault("pull_start", (touch.y, at_top))
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        start = touch.ud.get("pull_start")
        if start and start[1] and not touch.ud.get("pulled") and start[0] - touch.y >= self.pull_distance:
            touch.ud["pulled"] = True
            self.dispatch("on_pull")
        return super().on_touch_up(touch)

    def on_pull(self) -> None:
        pass


class TodayScreen(HaulScreen):
    empty = BooleanProperty(True)
    _shown: list | None = None

    def on_enter(self, *args) -> None:
        self.refresh()

    def update(self, day) -> None:
        if day.assignments is self._shown:
            return
        self._shown = day.assignments
        rows = self.ids.list
        rows.clear_widgets()
        for load in day.assignments:
            rows.add_widget(LoadRow(load=load, **assignment_line(load)))
        self.empty = not day.assignments

    def refresh(self) -> None:
        if self.busy:
            return
        self.start()
        self.controller.refresh_today(on_ok=lambda _loads: self.done(), on_error=self.failed)

    def open(self, load: dict) -> None:
        if not self.controller.day.can("select_load"):
            self.message = Msg("Finish the current load first.")
            return
        self.controller.open_load(load, on_error=self.app.root_screen("load").failed)
