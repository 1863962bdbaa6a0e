"""The demo's generated photo and signature are real PNG files."""

from __future__ import annotations

import struct
import zlib

from server.demo.artwork import photo_png, signature_png
from server.yard.evidence_store import image_type


def _size_and_rows(data: bytes) -> tuple[int, int, bytes]:
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(tag + body)
        if tag == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_photo_and_signature_are_pngs_the_evidence_store_accepts():
    """Both images pass the evidence store's content check and decode to their stated size."""
    for data, size in ((photo_png(3), (96, 64)), (signature_png(3), (160, 60))):
        assert image_type(data) == "image/png"
        width, height, rows = _size_and_rows(data)
        assert (width, height) == size
        assert len(rows) == height * (1 + 3 * width)


def test_each_load_gets_its_own_signature():
    """Different seeds draw different signatures (so evidence hashes differ per load)."""
    assert signature_png(1) != signature_png(2)
