"""The Kivy app of the Haul driver: a screen manager that follows the driver's day.

The app builds the controller (``driver_app.glue.controller``) and shows the screen of the
day's step: sign in, today, load, gate, evidence, proof of delivery; the load board and the
settings are reachable from every screen's top bar. State observers may fire on any thread
(paho's for a dock call), so the app hops to the UI thread before touching widgets. What
differs between a phone and a desktop (camera, GPS, QR scanner, links, permissions) is asked of
``services``, the platform's ``PlatformServices`` (``driver_app.platform_services``).

Run it with ``haul driver --server URL`` (or ``python -m driver_app.app``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from driver_app.core.app_state import DriverDay, Step
from driver_app.fonts import register_cjk_font
from driver_app.glue.controller import DriverController
from driver_app.glue.dock_sound import chime_player
from driver_app.glue.translation import tr
from driver_app.glue.ui_thread import KivyRunner, on_ui_thread
from driver_app.platform_services import platform_services
from driver_app.platform_services.interface import PlatformServices
from driver_app.screens import load_screen

STEP_SCREENS = {
    Step.SIGNED_OUT: "signin",
    Step.SIGNED_IN: "today",
    Step.TODAY: "today",
    Step.LOAD_SELECTED: "load",
    Step.AT_GATE: "gate",
    Step.CALLED_TO_DOCK: "gate",
    Step.LOADING: "evidence",
    Step.EVIDENCE: "evidence",
    Step.DEPARTED: "pod",
    Step.DELIVERED: "pod",
}
FLUSH_EVERY_S = 30.0


class HaulDriverApp(App):
    title = "Haul driver"
    language = StringProperty("en")
    status_text = StringProperty("")
    online = BooleanProperty(False)
    positions_waiting = NumericProperty(0)
    submissions_waiting = NumericProperty(0)
    notice = ObjectProperty(None, allownone=True)  # the day's notice (a core Msg), shown by NoticeBar
    day_version = NumericProperty(0)  # bumps after every change of the day (on the UI thread)
    unread_notices = NumericProperty(0)  # the badge on Today's Messages button

    def __init__(self, data_dir: str | Path | None = None, server_url: str | None = None,
                 simulate_load: str | None = None, photo_dir: str | Path | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._data_dir = str(data_dir) if data_dir else os.environ.get("HAUL_DRIVER_DATA")
        self.server_url = server_url or ""
        self.simulate_load = simulate_load
        self.photo_dir = str(photo_dir or os.environ.get("HAUL_DRIVER_PHOTOS") or Path.home())
        self.services: PlatformServices | None = None
        self.controller: DriverController | None = None
        self.runner: KivyRunner | None = None
        self.manager: ScreenManager | None = None
        self.last_link: str | None = None
        self._step: Step | None = None

    @property
    def data_dir(self) -> str:
        return self._data_dir or self.user_data_dir

    # -- building ----------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        register_cjk_font()
        Window.clearcolor = (0.93, 0.94, 0.96, 1)
        self.runner = KivyRunner()
        self.services = platform_services(Path(self.data_dir) / "photos", path_provider=self._choose_photo)
        self.controller = DriverController(self.data_dir, self.runner, self.services,
                                           sound=on_ui_thread(chime_player(self.data_dir)))
        self.controller.translate = tr._
        self.language = self.controller.settings.language
        tr.switch(self.language)
        self.manager = ScreenManager(transition=NoTransition())
        self.controller.day.subscribe(on_ui_thread(self._day_changed))
        self.controller.notices.subscribe(on_ui_thread(self._notices_changed))
        self._notices_changed(self.controller.notices)
        self._day_changed(self.controller.day)
        self.controller.resume()  # signed in before the restart: straight to Today
        Clock.schedule_interval(lambda _dt: self.controller.flush_outbox(), FLUSH_EVERY_S)
        self.services.request_permissions()
        return self.manager

    def on_stop(self) -> None:
        if self.controller is not None:
            self.controller.tracker.stop()
        if self.runner is not None:
            self.runner.shutdown()

    # -- following the day ---------------------------------------------------------------------

    def _day_changed(self, day: DriverDay) -> None:
        self.online = day.online
        self.positions_waiting = day.positions_waiting
        self.submissions_waiting = day.submissions_waiting
        self.status_text = day.status_line(tr.translator)
        self.notice = day.notice if day.step is not Step.SIGNED_OUT else None
        self.day_version += 1
        if day.step is not self._step:
            previous, self._step = self._step, day.step
            self.show(STEP_SCREENS[day.step])
            if previous is Step.SIGNED_OUT and day.step is Step.SIGNED_IN:
                self._signed_in()
        for screen in self.manager.screens:
            screen.update(day)

    def _notices_changed(self, notices) -> None:
        # Inbox notices are kept on paho's thread; this runs on the UI thread.
        self.unread_notices = notices.unread_count()
        if self.manager is not None and self.manager.current == "messages":
            self.manager.current_screen.show_notices()

    def _signed_in(self) -> None:
        if self.simulate_load:
            self.controller.simulate_load(self.simulate_load)
            return
        settings = self.controller.settings
        gps = self.services.gps(settings.gps_interval_s, settings.gps_distance_m)
        if gps is not None:  # a desktop has none: it only tracks a simulated drive
            self.controller.tracker.start(gps)

    def show(self, name: str) -> None:
        """Show screen ``name``, building it on first use."""
        screen = self.root_screen(name)
        if self.manager.current != name:
            self.manager.current = name
        else:
            screen.update(self.controller.day)

    def root_screen(self, name: str) -> Any:
        if not self.manager.has_screen(name):
            screen = load_screen(name)
            self.manager.add_widget(screen)
            screen.update(self.controller.day)
        return self.manager.get_screen(name)

    def dismiss_notice(self) -> None:
        self.controller.day.set_notice(None)

    def go_today(self) -> None:
        """Back to the day's loads (leaving a load that was only being looked at)."""
        day = self.controller.day
        if day.step in (Step.LOAD_SELECTED, Step.DELIVERED):
            self.controller.back_to_today()
        else:
            self.show("today")

    # -- language ------------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        self.controller.set_language(lang)
        tr.switch(lang)
        self.language = tr.lang
        self.status_text = self.controller.day.status_line(tr.translator)

    # -- platform ------------------------------------------------------------------------------

    def take_photo(self, on_done) -> None:
        """Camera on Android, a file chooser on a desktop; ``on_done(path|None)`` on the UI thread."""
        self.services.camera.take_photo(on_ui_thread(on_done))

    def scan_qr(self, on_done) -> None:
        """Scan a QR code with the platform's scanner; ``on_done(text|None)`` on the UI thread."""
        self.services.scanner.scan(on_ui_thread(on_done))

    def _choose_photo(self, on_done) -> None:
        from driver_app.glue.photo_chooser import choose_photo

        self.photo_popup = choose_photo(on_done, self.photo_dir)

    def open_link(self, url: str) -> None:
        """Open a navigation or document link in the phone's app for it, or the browser."""
        if not url:
            return
        self.last_link = url
        self.services.open_link(url)


def run(server_url: str | None = None, simulate_load: str | None = None) -> None:
    HaulDriverApp(server_url=server_url, simulate_load=simulate_load).run()


if __name__ == "__main__":
    run(os.environ.get("HAUL_SERVER_URL"))
