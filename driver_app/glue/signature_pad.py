"""A signature pad: the receiver draws with a finger, the strokes are exported to a PNG.

Each touch that starts on the pad becomes one stroke (a Kivy ``Line``). ``export(path)``
renders the pad, white background and black ink, through the widget's own FBO export.
"""

from __future__ import annotations

from pathlib import Path

from kivy.graphics import Color, Line, Rectangle
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget


class SignaturePad(Widget):
    """Draw to sign; ``signed`` turns True with the first stroke, ``clear()`` starts again."""

    signed = BooleanProperty(False)
    ink_width = NumericProperty(2.0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._strokes: list[Line] = []
        with self.canvas.before:
            Color(1, 1, 1, 1)
            self._paper = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._layout, size=self._layout)

    def _layout(self, *_args) -> None:
        self._paper.pos, self._paper.size = self.pos, self.size

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        with self.canvas:
            Color(0.05, 0.05, 0.2, 1)
            line = Line(points=[*touch.pos], width=self.ink_width)
        self._strokes.append(line)
        touch.ud["signature_line"] = line
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is self and "signature_line" in touch.ud:
            x = min(max(touch.x, self.x), self.right)
            y = min(max(touch.y, self.y), self.top)
            touch.ud["signature_line"].points += [x, y]
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        if touch.grab_current is self:
            touch.ungrab(self)
            line = touch.ud.get("signature_line")
            # A tap is a dot, not a signature: it needs at least two points.
            if line is not None and len(line.points) >= 4:
                self.signed = True
            return True
        return super().on_touch_up(touch)

    def clear(self) -> None:
        self.canvas.clear()
        self._strokes.clear()
        self.signed = False

    @property
    def stroke_count(self) -> int:
        return len(self._strokes)

    def export(self, path: str | Path) -> str:
        """Write the signature as a PNG at ``path``; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.export_to_png(str(path))
        return str(path)
