"""Pairing codes: how they look, how they are stored, what the QR holds, and the guessing brake.

A code is 10 symbols of Crockford's base 32 (no I, L, O or U; 50 random bits), shown as
``ABCDE-FGHJK``. Typing is forgiving: case, spaces and dashes do not matter and O, I and L
read as 0, 1 and 1. Only an HMAC-SHA256 of the normalised code under the app's secret key is
stored, so a copy of the database does not give live codes (a plain hash of 50 bits could be
reversed by brute force).

Guessing a live code is hopeless by entropy alone: codes live minutes, a dispatcher's new code
for a driver cancels the driver's older one, and with even a thousand live codes an attacker
needs ~10^12 tries per hit. `server.tracking.failure_brake.FailureBrake` adds a per-address
limit on wrong codes, so one client cannot even try quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

import segno

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 10
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh random code, as shown to people: ``ABCDE-FGHJK``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(text: str) -> str | None:
    """The code's 10 symbols from what someone typed, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t").translate(_READS_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def code_hash(secret_key: str, code: str) -> str:
    """What is stored for a (normalised) code."""
    return hmac.new(secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def pair_url(server_url: str, code: str) -> str:
    """What the QR holds: the server's address and the code; the code rides in the fragment,
    which browsers never send, so a phone camera opening it leaves no code in access logs."""
    return f"{server_url.rstrip('/')}/pair#code={code}"


def qr_svg(data: str) -> str:
    """``data`` as an SVG QR code (error correction M, 4-module quiet zone) for the dashboard."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="svg", scale=6, border=4, xmldecl=False,
                                                   svgns=True, title=None)
    return buffer.getvalue().decode()
