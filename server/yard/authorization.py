"""The gate's view of the buyer's pickup authorization (the marketplace owns the tokens).

One adapter, so the gate code does not depend on how the market stores or signs them: it
verifies signature, expiry and revocation, and that the token is bound to this load, its
awarded carrier, the driver and the plate seen at the gate (``server.market.pickup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from server.auth.principal import Principal
from server.extensions import db
from server.models import Load, PickupAuthorization


@dataclass(frozen=True)
class GateVerdict:
    valid: bool
    reason: str | None
    detail: str
    authorization_id: int | None = None


def verify(principal: Principal, token: str, load: Load, plate: str | None, driver_id: int | None,
           now: datetime) -> GateVerdict:
    """Whether ``token`` lets this truck collect ``load`` now; the reason code when it does not."""
    from server.market.pickup import check_at_gate

    verdict = check_at_gate(principal, token, now, current_app.config["SECRET_KEY"], load_id=load.id,
                            plate=plate, driver_id=driver_id)
    return GateVerdict(verdict.valid, verdict.reason, verdict.detail, verdict.authorization_id)


def stored_token(load: Load) -> str | None:
    """The load's latest authorization as a signed token (for check-ins without a scan), or None."""
    from server.market.pickup import token_for

    row = db.session.scalar(select(PickupAuthorization).where(PickupAuthorization.load_id == load.id)
                            .order_by(PickupAuthorization.revoked_at.is_not(None), PickupAuthorization.id.desc())
                            .limit(1))
    return None if row is None else token_for(row, current_app.config["SECRET_KEY"])
