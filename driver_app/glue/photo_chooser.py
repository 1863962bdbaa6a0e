"""The desktop stand-in for the camera: a file chooser popup for an image.

It is the ``PathProvider`` that ``platform_services.desktop.DesktopCamera`` asks; Android
uses the real camera (``plyer.camera``) instead. ``on_done(path)`` is called with the chosen
file, or ``None`` when the driver cancels.
"""

from __future__ import annotations

from pathlib import Path

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.filechooser import FileChooserListView
from kivy.uix.popup import Popup

from driver_app.glue.translation import tr
from driver_app.platform_services.interface import PhotoCallback

IMAGE_FILTERS = ["*.jpg", "*.jpeg", "*.png", "*.JPG", "*.JPEG", "*.PNG"]


def choose_photo(on_done: PhotoCallback, start_dir: str | Path | None = None) -> Popup:
    """Open the chooser; returns the popup (tests select a file and press its buttons)."""
    chooser = FileChooserListView(path=str(start_dir or Path.home()), filters=IMAGE_FILTERS)
    buttons = BoxLayout(size_hint_y=None, height="48dp", spacing="8dp")
    use = Button(text=tr._("Use this photo"))
    cancel = Button(text=tr._("Cancel"))
    buttons.add_widget(cancel)
    buttons.add_widget(use)
    body = BoxLayout(orientation="vertical", spacing="8dp")
    body.add_widget(chooser)
    body.add_widget(buttons)
    popup = Popup(title=tr._("Choose a photo"), content=body, size_hint=(0.95, 0.9), auto_dismiss=False)

    def finish(path: str | None) -> None:
        popup.dismiss()
        on_done(path)

    use.bind(on_release=lambda *_: finish(chooser.selection[0] if chooser.selection else None))
    cancel.bind(on_release=lambda *_: finish(None))
    popup.chooser = chooser
    popup.use_button = use
    popup.open()
    return popup
