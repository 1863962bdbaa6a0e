"""The carrier's load board: the one rule for which open tenders a carrier may act on now.

The API's ``GET /tenders`` and the carrier dashboard both list the board through ``board_tenders``,
with the same clock (``server.clock``), so they can never disagree.
"""

from __future__ import annotations

from datetime import datetime

from server.auth.principal import Principal
from server.auth.scoping import scoped
from server.extensions import db
from server.market.tendering import refresh, told_now
from server.models import Tender

BOARD_SCAN_LIMIT = 500  # open tenders looked at for one carrier's board


def board_tenders(principal: Principal, now: datetime, mode: str | None = None) -> list[Tender]:
    """Open tenders (newest first) that ``principal``'s carrier is told of now, each brought up to
    date with the clock first (deadlines, sequential offers, the widening radius)."""
    query = scoped(Tender, principal).where(Tender.status == "open")
    if mode is not None:
        query = query.where(Tender.mode == mode)
    board = []
    for tender in db.session.scalars(query.order_by(Tender.id.desc()).limit(BOARD_SCAN_LIMIT)):
        refresh(tender, now)
        if tender.status == "open" and principal.organisation_id in told_now(tender, now):
            board.append(tender)
    return board
