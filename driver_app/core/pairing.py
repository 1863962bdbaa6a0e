"""What a scanned pairing QR code or a typed pairing code means, and how a refusal is told (pure).

The dispatcher's QR code holds the pairing link ``https://haul.example.com/pair#code=ABCDE-FGHJK``:
the server's address and a one-time code. A driver without a camera types the code (the server
address then comes from the form) or pastes the whole link. Codes are 10 symbols of Crockford's
base 32, as the server makes them; case, spaces and dashes do not matter and O, I, L read as
0, 1, 1, exactly as the server reads them.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from driver_app.core.i18n import Msg

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
PAIR_PATH = "/pair"

# The server's ``reason`` for a refused pairing -> what the driver reads.
REFUSALS: dict[str, Msg] = {
    "unknown_code": Msg("This pairing code is not valid. Check it, or ask your dispatcher for a new one."),
    "expired": Msg("This pairing code has expired. Ask your dispatcher for a new one."),
    "cancelled": Msg("This pairing code was replaced by a newer one. Ask your dispatcher for the new code."),
    "used": Msg("This pairing code was already used. Ask your dispatcher for a new one."),
    "too_many_attempts": Msg("Too many wrong pairing codes. Wait a few minutes and try again."),
}


@dataclass(frozen=True)
class PairingTarget:
    """Where to pair and with which code; ``server_url`` is None when only a code was given."""

    server_url: str | None
    code: str  # as the dispatcher shows it: ABCDE-FGHJK


def normalise_code(text: str) -> str | None:
    """``ABCDE-FGHJK`` from what was typed, or None when it cannot be a pairing code."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t").translate(_READS_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:5]}-{cleaned[5:]}"


def parse_pairing(text: str) -> PairingTarget | None:
    """A pairing link (from the QR code or pasted) or a bare code; None when it is neither."""
    text = (text or "").strip()
    if "://" not in text:
        code = normalise_code(text)
        return PairingTarget(None, code) if code else None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path.rstrip("/")
    if not path.endswith(PAIR_PATH):
        return None
    # The server puts the code in the fragment; a link rewritten by a chat app may carry it in the query.
    found = parse_qs(parts.fragment).get("code") or parse_qs(parts.query).get("code") or []
    code = normalise_code(found[0]) if found else None
    if code is None:
        return None
    return PairingTarget(f"{parts.scheme.lower()}://{parts.netloc}{path[: -len(PAIR_PATH)]}", code)


def refusal_message(reason: str | None) -> Msg | None:
    """The driver's message for a refused pairing ``reason`` from the server, if it is a known one."""
    return REFUSALS.get(reason or "")


def default_device_name() -> str:
    """How the dispatcher's list names this phone: the system and the host's name."""
    name = " ".join(part for part in (platform.system(), platform.node()) if part).strip()
    return (name or "Haul driver app")[:100]
