"""A CJK-capable default font for the driver app, so Chinese never renders as boxes.

Kivy's bundled Roboto has no Chinese glyphs. ``register_cjk_font`` finds a font that has
them and registers it under Kivy's default font name, so every Label and TextInput uses it
without naming a font. Kivy's SDL2 text provider opens face 0 of a ``.ttc`` collection; in
Noto's Pan-CJK collection face 0 is the Japanese one (Japanese glyph shapes for shared Han
characters), so a Simplified-Chinese-first font is preferred when one is installed:

- Debian / Ubuntu: ``fonts-wqy-zenhei`` (preferred) or ``fonts-noto-cjk``;
- Android: the system's Noto CJK collection (every Android since 5 has it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

log = logging.getLogger(__name__)

# (regular, bold or None), best first.
CANDIDATES: tuple[tuple[str, str | None], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
     "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/system/fonts/NotoSansCJK-Regular.ttc", None),
    ("/system/fonts/NotoSansSC-Regular.otf", None),
    ("/system/fonts/DroidSansFallback.ttf", None),
)


class NoCjkFont(RuntimeError):
    """No installed font can show Chinese (install fonts-wqy-zenhei or fonts-noto-cjk)."""


def find_cjk_font(candidates: Sequence[tuple[str, str | None]] = CANDIDATES) -> tuple[str, str | None]:
    """The first installed ``(regular, bold)`` pair; ``HAUL_CJK_FONT`` overrides the list."""
    override = os.environ.get("HAUL_CJK_FONT")
    if override:
        if not os.path.isfile(override):
            raise NoCjkFont(f"HAUL_CJK_FONT={override} does not exist")
        return override, None
    for regular, bold in candidates:
        if os.path.isfile(regular):
            return regular, bold if bold and os.path.isfile(bold) else None
    raise NoCjkFont("no CJK font found; install fonts-wqy-zenhei or fonts-noto-cjk")


def register_cjk_font() -> str:
    """Make the found CJK font Kivy's default font; returns its path."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    regular, bold = find_cjk_font()
    # Without a real bold face, Kivy's SDL2 provider emboldens the regular one itself.
    LabelBase.register(DEFAULT_FONT, fn_regular=regular, fn_bold=bold)
    log.info("default font: %s", regular)
    return regular
