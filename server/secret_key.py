"""The key that signs session cookies and pickup tokens when ``SECRET_KEY`` is not set.

There is no fixed key in the code: a published key lets anyone forge a session cookie. Without
``SECRET_KEY`` the first process makes a random key, stores it in the instance folder readable by
its owner only (0600), and every later process (and ``haul demo`` after a restart) reuses it, so
sessions survive restarts. Deleting the file rotates the key: every cookie and pickup QR signed
with the old one stops working.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "secret_key"


def instance_secret_key(instance_dir: str | Path) -> str:
    """The key stored in ``instance_dir``, made on first use."""
    path = Path(instance_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to have a new one made")
    return key


def _create(path: Path) -> None:
    # Written to a private temporary file and linked into place: two processes starting at once
    # never see a half-written key, and the loser of the race simply reads the winner's.
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
