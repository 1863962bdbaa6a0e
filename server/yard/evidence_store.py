"""Where evidence files (photos, signatures) live: addressed by their SHA-256, never overwritten.

:class:`ObjectStore` is the seam; :class:`FilesystemStore` keeps files under
``HAUL_INSTANCE_DIR/evidence/ab/cd/abcd...`` and is the default. An object store (S3,
MinIO) plugs in by putting an object with the same three methods in
``app.extensions["haul.evidence_store"]``. Since the name is the content's hash, a file
that was altered no longer matches its name, and the chain check sees it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

SHA256 = re.compile(r"^[0-9a-f]{64}$")
EXTENSION_KEY = "haul.evidence_store"


class ObjectStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256 (hex). Storing the same bytes twice is a no-op."""

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored under ``sha256``, or None."""

    def exists(self, sha256: str) -> bool: ...


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FilesystemStore:
    """Content-addressed files in a directory tree; writes are atomic (temp file, then rename)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not SHA256.match(sha256 or ""):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
        return digest

    def get(self, sha256: str) -> bytes | None:
        try:
            return self._path(sha256).read_bytes()
        except (ValueError, FileNotFoundError):
            return None

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).exists()
        except ValueError:
            return False


def evidence_store() -> ObjectStore:
    """The app's store: a plugged-in one, else files under the instance folder."""
    store = current_app.extensions.get(EXTENSION_KEY)
    if store is None:
        store = FilesystemStore(Path(current_app.config["HAUL_INSTANCE_DIR"]) / "evidence")
        current_app.extensions[EXTENSION_KEY] = store
    return store


IMAGE_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"))


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG, GIF, WebP), whatever the client claimed."""
    for magic, kind in IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
