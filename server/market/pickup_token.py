"""Pickup authorization tokens: signed, expiring, bound to load, carrier, driver and plate.

Signed with itsdangerous' ``URLSafeSerializer`` (HMAC over the app's SECRET_KEY and a salt of
its own, so no other signed value of the app can pass as one). The expiry is an absolute ``exp``
claim inside the signed payload, and no signing time is added: one authorization always signs
to the same token, so its QR code does not change each time it is shown. Tokens of the earlier
timestamped form still verify. Pure: the gate and yard code reuse it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

SALT = "haul.pickup-authorization.v1"
MAX_TOKEN_CHARS = 2048


class TokenRefused(ValueError):
    """The token is not acceptable; ``reason`` is a stable code (forged, expired, ...)."""

    def __init__(self, reason: str, detail: str):
        detail = str(detail)
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class PickupClaims:
    jti: str
    load_id: int
    carrier_id: int
    driver_id: int | None
    plate: str
    exp: int  # Unix seconds, UTC

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.exp, UTC)


def new_token_id() -> str:
    return secrets.token_urlsafe(24)


def normalise_plate(plate: str) -> str:
    """Plates compare without spaces, dashes or case: 'du-ab 123' == 'DUAB123'."""
    return re.sub(r"[\s\-]", "", plate or "").upper()


def sign(secret: str, claims: PickupClaims) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps(asdict(claims))


def _payload(secret: str, token: str):
    try:
        return URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadData:  # perhaps a token of the earlier, timestamped form
        return URLSafeTimedSerializer(secret, salt=SALT).loads(token)


def verify(secret: str, token: str, now: datetime) -> PickupClaims:
    """The claims of a genuine, unexpired token; TokenRefused('forged'|'malformed'|'expired') else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise TokenRefused("malformed", _("The token is empty or too long."))
    try:
        payload = _payload(secret, token)
    except BadData as exc:
        raise TokenRefused("forged", _("The token's signature is not valid.")) from exc
    try:
        claims = PickupClaims(jti=str(payload["jti"]), load_id=int(payload["load_id"]),
                              carrier_id=int(payload["carrier_id"]),
                              driver_id=None if payload["driver_id"] is None else int(payload["driver_id"]),
                              plate=str(payload["plate"]), exp=int(payload["exp"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenRefused("malformed", _("The token is signed but its claims are incomplete.")) from exc
    if now.timestamp() >= claims.exp:
        raise TokenRefused("expired", _("The authorization expired at %(expires_at)s.",
                                        expires_at=claims.expires_at.isoformat()))
    return claims


def binding_mismatch(claims: PickupClaims, load_id: int | None = None, plate: str | None = None,
                     driver_id: int | None = None, carrier_id: int | None = None) -> TokenRefused | None:
    """The first way the token is not bound to what the gate sees; None when it matches."""
    if load_id is not None and load_id != claims.load_id:
        return TokenRefused("wrong_load", _("The authorization is for another load."))
    if carrier_id is not None and carrier_id != claims.carrier_id:
        return TokenRefused("wrong_carrier", _("The authorization is for another carrier."))
    if driver_id is not None and driver_id != claims.driver_id:
        return TokenRefused("wrong_driver", _("The authorization is for another driver."))
    if plate is not None and normalise_plate(plate) != normalise_plate(claims.plate):
        return TokenRefused("wrong_plate", _("The authorization is for another licence plate."))
    return None
