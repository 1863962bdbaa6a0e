"""What a dock call does besides the screen: a notification, vibration and a sound (Kivy-free).

Each channel is tried on its own: a phone without a vibrator, or a desktop without sound,
still gets the others, and a failing channel never stops the screen from showing the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from driver_app.platform_services.interface import PlatformServices

log = logging.getLogger(__name__)


class DockCallAlert:
    """``alert(title, message)`` notifies, vibrates and plays ``sound`` (each optional)."""

    def __init__(self, services: PlatformServices | None, sound: Callable[[], None] | None = None,
                 vibrate_s: float = 1.5):
        self.services = services
        self.sound = sound
        self.vibrate_s = vibrate_s
        self.count = 0  # alerts raised (the UI tests read it)

    def __call__(self, title: str, message: str) -> None:
        self.count += 1
        channels: list[tuple[str, Callable[[], object]]] = []
        if self.services is not None:
            channels.append(("notification", lambda: self.services.notifier.notify(title, message)))
            channels.append(("vibration", lambda: self.services.vibrator.vibrate(self.vibrate_s)))
        if self.sound is not None:
            channels.append(("sound", self.sound))
        for name, act in channels:
            try:
                act()
            except Exception as exc:  # plyer or audio missing on this device: the screen still shows it
                log.warning("dock call %s failed: %s", name, exc)
