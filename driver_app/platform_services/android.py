"""The Android implementation (``AndroidServices``): camera, notifications and vibration via
plyer, QR scanning through a scanner app, links handed to other apps (``geo:`` for maps),
runtime permissions, and the phone's GPS (``android_gps``).

plyer, pyjnius (``jnius``) and python-for-android's ``android`` module exist only in the
Android build; they are imported when a service is used, never when this module is imported
or a service is built, so the desktop and the tests can import and construct everything here.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from driver_app.platform_services.android_gps import PlyerGps
from driver_app.platform_services.interface import PhotoCallback, ScanCallback
from driver_app.platform_services.plyer_bridge import import_plyer

log = logging.getLogger(__name__)

SCAN_REQUEST = 0x4A11
PERMISSIONS = ("ACCESS_FINE_LOCATION", "ACCESS_BACKGROUND_LOCATION", "CAMERA", "VIBRATE", "POST_NOTIFICATIONS")


class AndroidCamera:
    """``plyer.camera``: writes a JPEG into ``photo_dir`` and reports its path."""

    def __init__(self, photo_dir: str | Path):
        self.photo_dir = Path(photo_dir)

    def take_photo(self, on_done: PhotoCallback) -> None:
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        path = self.photo_dir / f"photo-{int(time.time() * 1000)}.jpg"

        def complete(filename: str | None) -> bool:
            ok = bool(filename) and os.path.exists(filename)
            on_done(str(filename) if ok else None)
            return False  # plyer deletes the file when the callback returns True

        import_plyer("camera").take_picture(filename=str(path), on_complete=complete)


class AndroidNotifier:
    def __init__(self, app_name: str = "Haul"):
        self.app_name = app_name

    def notify(self, title: str, message: str) -> None:
        import_plyer("notification").notify(title=title, message=message, app_name=self.app_name)


class AndroidVibrator:
    def vibrate(self, seconds: float = 0.5) -> None:
        import_plyer("vibrator").vibrate(time=seconds)


class ZxingScanner:
    """Scans a QR code through a barcode-scanner app's SCAN intent.

    Android has no QR decoder in its API for apps built with python-for-android, so the scan is
    delegated to a scanner app (ZXing's ``com.google.zxing.client.android.SCAN`` intent, which
    most scanner apps answer). Unverified here: it needs a phone.
    """

    available = True

    def scan(self, on_done: ScanCallback) -> None:
        try:
            from android import activity  # type: ignore[import-not-found]
            from jnius import autoclass  # type: ignore[import-not-found]
        except ImportError:
            on_done(None)
            return
        Intent = autoclass("android.content.Intent")
        PythonActivity = autoclass("org.kivy.android.PythonActivity")

        def result(request_code: int, result_code: int, intent) -> None:
            if request_code != SCAN_REQUEST:
                return
            activity.unbind(on_activity_result=result)
            text = intent.getStringExtra("SCAN_RESULT") if intent is not None and result_code == -1 else None
            on_done(text)

        intent = Intent("com.google.zxing.client.android.SCAN")
        intent.putExtra("SCAN_MODE", "QR_CODE_MODE")
        activity.bind(on_activity_result=result)
        try:
            PythonActivity.mActivity.startActivityForResult(intent, SCAN_REQUEST)
        except Exception as exc:  # no scanner app installed
            log.warning("no QR scanner app: %s", exc)
            activity.unbind(on_activity_result=result)
            on_done(None)


class AndroidServices:
    """The phone's own services (``PlatformServices`` on Android); photos go to ``photo_dir``."""

    def __init__(self, photo_dir: str | Path):
        self.camera = AndroidCamera(photo_dir)
        self.notifier = AndroidNotifier()
        self.vibrator = AndroidVibrator()
        self.scanner = ZxingScanner()

    def request_permissions(self) -> None:
        """Asks for ``PERMISSIONS`` at run time (Android 6+ grants dangerous ones only so)."""
        try:
            from android.permissions import request_permissions  # type: ignore[import-not-found]

            request_permissions([f"android.permission.{p}" for p in PERMISSIONS])
        except Exception as exc:  # an older python-for-android: permissions come from the manifest
            log.warning("could not request permissions: %s", exc)

    def gps(self, min_time_s: float, min_distance_m: float) -> PlyerGps:
        """The phone's GPS through plyer (``ACCESS_FINE_LOCATION`` must have been granted)."""
        return PlyerGps(min_time_s, min_distance_m)

    def navigation_link(self, stop: Mapping[str, Any]) -> str | None:
        """A ``geo:`` URI: Android hands it to the driver's navigation app."""
        lat, lon = stop.get("lat"), stop.get("lon")
        if lat is None or lon is None:
            return f"geo:0,0?q={quote(str(stop['address']))}" if stop.get("address") else None
        return f"geo:{lat},{lon}?q={lat},{lon}({quote(stop.get('name') or '')})"

    def open_link(self, url: str) -> None:
        """Starts the app for ``url`` (an ACTION_VIEW intent)."""
        from jnius import autoclass  # type: ignore[import-not-found]

        intent_class, uri = autoclass("android.content.Intent"), autoclass("android.net.Uri")
        activity = autoclass("org.kivy.android.PythonActivity").mActivity
        activity.startActivity(intent_class(intent_class.ACTION_VIEW, uri.parse(url)))
