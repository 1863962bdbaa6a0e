"""Who authorizes the pickup of a multi-drop load: every buyer with goods on it, each for its own.

A plain load is authorized by its buyer. On a multi-drop load each buyer with a delivery stop issues
its own authorization (``server.market.pickup.issue``), and the load becomes ``authorized`` (the
gate lets the truck in) only once every one of them holds a live, approved authorization; until then
the seller and the carrier see the load "awaiting authorization from" the buyers still to act, and
the gate refuses the truck with ``awaiting_authorization``. A buyer never learns who else is on it.
"""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Load, LoadStop, Organisation, PickupAuthorization

NOT_COUNTING = ("pending", "rejected")  # an authorization still waiting for, or refused by, the approval chain


def buyers_of(load: Load) -> list[int]:
    """Every buyer whose goods the load carries: its stops' buyers on a multi-drop load, else its own buyer."""
    stops = db.session.scalars(select(LoadStop.buyer_org_id).where(
        LoadStop.load_id == load.id, LoadStop.kind == "delivery", LoadStop.buyer_org_id.is_not(None)))
    return sorted(set(stops)) or [load.buyer_org_id]


def authorizes(load: Load, org_id: int) -> bool:
    return org_id in buyers_of(load)


def awaiting(load: Load) -> list[int]:
    """The buyers on the load without a live, approved authorization, in id order."""
    done = set(db.session.scalars(select(PickupAuthorization.buyer_org_id).where(
        PickupAuthorization.load_id == load.id, PickupAuthorization.revoked_at.is_(None),
        PickupAuthorization.approval_status.is_(None) | PickupAuthorization.approval_status.not_in(NOT_COUNTING))))
    return [buyer for buyer in buyers_of(load) if buyer not in done]


def awaiting_names(load: Load) -> list[str]:
    """The names of the buyers still to authorize (for the seller's and carrier's eyes only)."""
    ids = awaiting(load)
    if not ids:
        return []
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
    return [names.get(org, str(org)) for org in ids]
