"""Tiny PNG images made on the spot: a photo of a loaded truck and a signature scribble.

They are real PNG files (the evidence store checks the bytes), written with zlib only, so the
demo's evidence and proofs of delivery carry a photo and a signature like real ones.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Callable

Rgb = tuple[int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Rgb]) -> bytes:
    """An 8-bit RGB PNG of ``width`` x ``height`` whose colour at (x, y) is ``pixel(x, y)``."""
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def photo_png(seed: int = 0) -> bytes:
    """A 96x64 'photo': sky, yard, and a trailer with pallets whose count varies with ``seed``."""
    pallets = 3 + seed % 4

    def pixel(x: int, y: int) -> Rgb:
        if 22 <= y <= 46 and 8 <= x <= 88:  # the trailer's open side
            if y >= 30 and (x - 10) % 19 < 15 and (x - 10) // 19 < pallets:
                return (176, 132, 84) if (y - 30) % 6 else (120, 86, 50)  # pallets with their slats
            return (70, 90, 140)
        if 47 <= y <= 52 and x % 30 in range(12, 22):
            return (25, 25, 25)  # wheels
        return (150, 190, 230) if y < 30 else (128, 128, 120)

    return png(96, 64, pixel)


def signature_png(seed: int = 0) -> bytes:
    """A 160x60 signature: a dark scribble on white, different for each ``seed``."""
    phase = seed * 0.7

    def pixel(x: int, y: int) -> Rgb:
        if not 12 <= x <= 148:
            return (255, 255, 255)
        line = 30 + 16 * math.sin(x / 7.0 + phase) * math.sin(x / 29.0 + phase / 2)
        return (20, 30, 90) if abs(y - line) < 1.6 else (255, 255, 255)

    return png(160, 60, pixel)


def as_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()
