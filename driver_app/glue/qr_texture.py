"""A QR code as a Kivy texture: segno draws a PNG in memory, Kivy's image loader reads it.

Kivy has no QR widget; a PNG with a quiet zone and crisp modules (no smoothing when the
texture is scaled up) scans well from a phone screen held to a gate reader.
"""

from __future__ import annotations

import io

import segno
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture


def qr_png(data: str, scale: int = 8) -> bytes:
    """The PNG bytes of ``data`` as a QR code (error correction M, 4-module quiet zone)."""
    qr = segno.make(data, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_texture(data: str, scale: int = 8) -> Texture:
    """A texture showing ``data`` as a QR code, magnified with nearest-neighbour filtering."""
    texture = CoreImage(io.BytesIO(qr_png(data, scale)), ext="png").texture
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
