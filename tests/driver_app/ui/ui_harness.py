"""A real-window harness for the driver app's UI scenarios (run each in its own process).

``start_app`` sets up SDL's offscreen video driver with Mesa (a real OpenGL context, never
Kivy's mock GL backend), builds the app without entering ``App.run``'s loop, and returns a
``Driver`` that advances frames, taps widgets with ``UnitTestTouch``, types, waits for
conditions and saves screenshots in both languages. Must be imported before anything
imports Kivy.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WIDTH, HEIGHT = 480, 860  # a phone in portrait


def _environment(kivy_home: str) -> None:
    os.environ["KIVY_WINDOW"] = "sdl2"
    os.environ["SDL_VIDEODRIVER"] = "offscreen"  # real GL through Mesa's EGL, no X server
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_CLIPBOARD"] = "sdl2"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"  # Kivy leaves stderr alone: tracebacks reach the test
    os.environ["KIVY_HOME"] = kivy_home
    os.environ["KIVY_METRICS_DENSITY"] = "1"
    os.environ["HAUL_DRIVER_NO_BROWSER"] = "1"
    os.environ.pop("KIVY_GL_BACKEND", None)  # "mock" would make the window fake
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


class Driver:
    """Drives a running ``HaulDriverApp`` frame by frame."""

    def __init__(self, app, artifacts: Path):
        from kivy.base import EventLoop

        self.app = app
        self.loop = EventLoop
        self.artifacts = artifacts
        self.shots: list[str] = []

    # -- time ----------------------------------------------------------------------------

    def frames(self, n: int = 2) -> None:
        for _ in range(n):
            self.loop.idle()

    def wait(self, predicate, what: str, timeout_s: float = 20.0):
        """Advance frames until ``predicate()`` is truthy; fail with ``what`` after the deadline."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.loop.idle()
            value = predicate()
            if value:
                return value
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting for: {what}")

    def idle_network(self) -> None:
        """Wait until every background call has reported back on the UI thread."""
        self.wait(lambda: self.app.runner.pending == 0, "background calls to finish")
        self.frames(3)

    # -- screens and widgets ---------------------------------------------------------------

    @property
    def screen(self):
        return self.app.manager.current_screen

    def on_screen(self, name: str) -> None:
        self.wait(lambda: self.app.manager.current == name, f"screen {name!r} (now {self.app.manager.current!r})")
        self.frames(3)

    def ids(self, name: str):
        return self.screen.ids[name]

    def tap(self, widget) -> None:
        """Press and release a simulated finger on the middle of ``widget``."""
        from kivy.tests.common import UnitTestTouch

        self.frames(1)
        self._wait_for_modals_to_close(widget)
        x, y = widget.to_window(*widget.center)
        assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT, f"{widget} is off screen at {(x, y)}"
        assert not widget.disabled, f"{widget} is disabled"
        released = []
        watch = widget.is_event_type("on_release")
        if watch:
            widget.fbind("on_release", released.append)
        touch = UnitTestTouch(x, y)
        try:
            touch.touch_down()
            self.frames(1)
            touch.touch_up()
            if watch:  # a ScrollView may hand the release on up to 0.2 s later: wait for it, never guess
                self.wait(lambda: released, f"{widget} to receive the tap", timeout_s=10)
        finally:
            if watch:
                widget.funbind("on_release", released.append)
        self.frames(3)

    def _wait_for_modals_to_close(self, widget) -> None:
        """A popup eats every touch until its dismiss animation ends; a finger would wait for it too."""
        from kivy.core.window import Window
        from kivy.uix.modalview import ModalView

        def owner_modal(w):
            while w is not None and w is not Window and not isinstance(w, ModalView):
                w = w.parent  # the window is its own parent: stop there
            return w if isinstance(w, ModalView) else None

        mine = owner_modal(widget)
        self.wait(lambda: not any(isinstance(c, ModalView) and c is not mine for c in Window.children),
                  "open popups to close before the tap")

    def drag(self, widget, points) -> None:
        """Draw with one finger through ``points`` given as fractions of ``widget``'s box."""
        from kivy.tests.common import UnitTestTouch

        def at(fx, fy):
            return widget.to_window(widget.x + fx * widget.width, widget.y + fy * widget.height)

        self._wait_for_modals_to_close(widget)
        touch = UnitTestTouch(*at(*points[0]))
        touch.touch_down()
        for fx, fy in points[1:]:
            touch.touch_move(*at(fx, fy))
            self.frames(1)
        touch.touch_up()
        self.frames(2)

    def type_into(self, field, text: str) -> None:
        """Set a FormField's (or TextInput's) text as typing would."""
        target = field.ids.input if hasattr(field, "ids") and "input" in field.ids else field
        target.text = text
        self.frames(1)

    def sign_in_to_today(self, server: str, email: str, password: str) -> None:
        """Sign in on the sign-in screen and wait for Today with its calls answered."""
        self.on_screen("signin")
        s = self.screen
        self.type_into(s.ids.server_url, server)
        self.type_into(s.ids.email, email)
        self.type_into(s.ids.password, password)
        self.tap(s.ids.sign_in)
        self.idle_network()
        self.on_screen("today")
        self.idle_network()

    def scroll_to(self, widget) -> None:
        parent = widget.parent
        while parent is not None and not hasattr(parent, "scroll_to"):
            parent = parent.parent
        if parent is not None:
            parent.scroll_to(widget, padding=20, animate=False)
            self.frames(3)

    # -- screenshots -------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        from kivy.core.window import Window

        self.frames(3)
        lang = "zh" if self.app.language == "zh_CN" else "en"
        target = self.artifacts / f"driver-{name}-{lang}.png"
        written = Window.screenshot(name=str(self.artifacts / f"_{name}-{lang}.png"))
        shutil.move(written, target)
        self.shots.append(target.name)
        return target

    def shots_both_languages(self, name: str) -> None:
        """Screenshot the current screen in English and in Chinese, switching at runtime."""
        start = self.app.language
        for lang in ("en", "zh_CN"):
            self.app.set_language(lang)
            self.frames(3)
            self.shot(name)
        self.app.set_language(start)
        self.frames(2)


def gl_facts() -> dict:
    """What the GL context really is (a test asserts it is Mesa, not a mock)."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RENDERER, GL_VERSION, glGetString

    return {
        "window": type(Window).__name__,
        "size": list(Window.size),
        "renderer": glGetString(GL_RENDERER).decode(),
        "version": glGetString(GL_VERSION).decode(),
        "gl_backend": os.environ.get("KIVY_GL_BACKEND", ""),
    }


def start_app(artifacts: Path, data_dir: Path | None = None, **app_kwargs) -> Driver:
    """Build the app in a real offscreen window and show its first screen."""
    _environment(tempfile.mkdtemp(prefix="kivy-home-"))
    from kivy.config import Config

    Config.set("graphics", "width", str(WIDTH))
    Config.set("graphics", "height", str(HEIGHT))
    Config.set("input", "mouse", "")  # no mouse provider: touches come from the tests only
    from driver_app.app import HaulDriverApp

    artifacts.mkdir(parents=True, exist_ok=True)
    app = HaulDriverApp(data_dir=data_dir or tempfile.mkdtemp(prefix="haul-driver-"), **app_kwargs)
    app._run_prepare()
    driver = Driver(app, artifacts)
    driver.frames(5)
    return driver
