"""Webhook signatures, in the style of Stripe's: ``Haul-Signature: t=<unix>,v1=<hex>``.

``v1`` is HMAC-SHA256 with the endpoint's secret over ``"<t>.<raw body>"``. The timestamp
is signed too, so a receiver that refuses old timestamps also refuses replays; the
``Haul-Event-Id`` header lets it drop a retry it has already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Haul-Signature"
EVENT_ID_HEADER = "Haul-Event-Id"
EVENT_TYPE_HEADER = "Haul-Event-Type"
DELIVERY_ID_HEADER = "Haul-Delivery-Id"
ATTEMPT_HEADER = "Haul-Delivery-Attempt"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_S = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance_s: float = DEFAULT_TOLERANCE_S) -> bool:
    """What a receiver does: True when one ``v1`` matches and ``t`` is within the tolerance of now."""
    timestamp, candidates = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance_s:
        return False
    expected = compute(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
