"""Who may share a load's live tracking, and which of its links each party manages.

The seller and the load's own (lead) buyer share the whole load; their links are the load's links.
A buyer that has only a delivery stop on a multi-drop load shares its own stop: its links are bound to
it (``TrackingLink.stop_buyer_org_id``), and it lists and withdraws only those, never the seller's or
another buyer's (nor do they see or withdraw its links). The carrier may not share; anyone else gets
404, so the load's existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select

from server.auth.principal import Principal
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.models import Load, TrackingLink
from server.stops.authorization import authorizes


@dataclass(frozen=True)
class LinkScope:
    load: Load
    stop_buyer_org_id: int | None  # None: the whole load

    def links(self) -> Select:
        """The load's links this party manages, oldest first."""
        bound = (TrackingLink.stop_buyer_org_id.is_(None) if self.stop_buyer_org_id is None
                 else TrackingLink.stop_buyer_org_id == self.stop_buyer_org_id)
        return select(TrackingLink).where(TrackingLink.load_id == self.load.id, bound).order_by(TrackingLink.id)


def link_scope(load_id: int, principal: Principal) -> LinkScope:
    """The caller's share of the load (404 if not visible, 403 for its carrier)."""
    load = get_scoped_or_404(Load, load_id, principal)
    org_id = principal.organisation_id
    if org_id in (load.buyer_org_id, load.seller_org_id):
        return LinkScope(load, None)
    if authorizes(load, org_id):  # a buyer with a delivery stop on the load
        return LinkScope(load, org_id)
    raise ApiProblem(403, _("Only the buyer or the seller of a load may manage its tracking links."))
