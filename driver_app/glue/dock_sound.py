"""The dock-call sound: a short two-tone chime written as a WAV once, played through Kivy.

Generating the chime avoids shipping a binary asset; Kivy's SDL2 audio plays WAV on desktop
and Android alike. Where no audio device exists the sound is skipped (the screen, the
notification and the vibration still tell the driver).
"""

from __future__ import annotations

import logging
import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

RATE = 22050


def write_chime(path: str | Path) -> Path:
    """Write the chime (two 0.25 s tones, 880 Hz then 660 Hz) to ``path`` unless it is there."""
    path = Path(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for freq in (880.0, 660.0):
        n = int(RATE * 0.25)
        for i in range(n):
            fade = min(1.0, (n - i) / (RATE * 0.05))  # no click at the end of a tone
            frames += struct.pack("<h", int(12000 * fade * math.sin(2 * math.pi * freq * i / RATE)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return path


def chime_player(data_dir: str | Path) -> Callable[[], None]:
    """A function that plays the chime (loaded lazily, on first use)."""
    sound = None

    def play() -> None:
        nonlocal sound
        if sound is None:
            from kivy.core.audio import SoundLoader

            sound = SoundLoader.load(str(write_chime(Path(data_dir) / "dock-call.wav")))
            if sound is None:
                raise RuntimeError("no audio provider could load the chime")
        sound.stop()
        sound.play()

    return play
