"""Scanning a pairing QR code on Android, through a barcode-scanner app's SCAN intent.

Android has no QR decoder in its API for apps built with python-for-android, so the scan is
delegated to a scanner app (ZXing's ``com.google.zxing.client.android.SCAN`` intent, which
most scanner apps answer). The QR code holds the pairing link (server address and one-time code,
see ``core.pairing``). Unverified here: it needs a phone. Desktops type the code or paste the link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from driver_app.platform.ui_thread import on_ui_thread

log = logging.getLogger(__name__)

SCAN_REQUEST = 0x4A11


def scan_qr(on_done: Callable[[str | None], None]) -> None:
    """Start the scanner; ``on_done(text)`` on the UI thread, ``None`` when cancelled or unavailable."""
    done = on_ui_thread(on_done)
    try:
        from android import activity  # type: ignore[import-not-found]
        from jnius import autoclass  # type: ignore[import-not-found]
    except ImportError:
        done(None)
        return
    Intent = autoclass("android.content.Intent")
    PythonActivity = autoclass("org.kivy.android.PythonActivity")

    def result(request_code: int, result_code: int, intent) -> None:
        if request_code != SCAN_REQUEST:
            return
        activity.unbind(on_activity_result=result)
        text = intent.getStringExtra("SCAN_RESULT") if intent is not None and result_code == -1 else None
        done(text)

    intent = Intent("com.google.zxing.client.android.SCAN")
    intent.putExtra("SCAN_MODE", "QR_CODE_MODE")
    activity.bind(on_activity_result=result)
    try:
        PythonActivity.mActivity.startActivityForResult(intent, SCAN_REQUEST)
    except Exception as exc:  # no scanner app installed
        log.warning("no QR scanner app: %s", exc)
        activity.unbind(on_activity_result=result)
        done(None)
