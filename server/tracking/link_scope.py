"""Who may share a load's live tracking, and which of its links each party manages.

The seller shares the whole load, and so does the buyer of a plain load; their links are the load's
links. On a multi-drop load every buyer with a delivery stop (the load's own, lead buyer included: it too
sees only its own stop) shares its own stop: its links are bound to it (``TrackingLink.stop_buyer_org_id``),
and it lists and withdraws only those, never the seller's or another buyer's (nor do they see or withdraw
its links). A lead buyer's links made before this rule stay whole-load links (the seller manages them). The carrier may not share; anyone else gets
404, so the load's existence does not leak.

Seeing the load lists its links; minting or withdrawing one also needs ``share_tracking`` on the load
(``sharing_scope``): a public link opens the load to whoever holds it, a decision a viewer does not make.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select

from server.auth.object_permissions import require_on
from server.auth.principal import Principal
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.models import Load, TrackingLink
from server.stops.authorization import authorizes
from server.stops.views import is_multi_drop


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
    if org_id == load.seller_org_id:
        return LinkScope(load, None)
    if authorizes(load, org_id):  # a buyer with goods on the load: its own stop on a multi-drop load
        return LinkScope(load, org_id if is_multi_drop(load.id) else None)
    if org_id == load.buyer_org_id:
        return LinkScope(load, None)
    raise ApiProblem(403, _("Only the buyer or the seller of a load may manage its tracking links."))


def sharing_scope(load_id: int, principal: Principal) -> LinkScope:
    """``link_scope``, once the caller may share this load: organisation-wide or by a role held in the load's
    department on its side (403 naming ``share_tracking`` otherwise)."""
    scope = link_scope(load_id, principal)
    require_on(principal, "share_tracking", scope.load)
    return scope
