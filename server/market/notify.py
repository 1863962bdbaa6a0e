"""Live board updates over Socket.IO, to the tender's eligible carriers and its seller only.

What each change means for each party (outbid, won, lost, closed without award) is published as
stored notifications by ``outcomes``, on its own background sender.

Events: ``board.tender_opened`` (new load, or newly in reach), ``board.bid`` (to the seller),
``board.lead_changed``, ``board.tender_awarded``, ``board.tender_closed`` (expired or cancelled),
``market.award_cancelled``. Carriers never learn who else bid. Drivers hear of assignments
through their MQTT inbox. A failed emit is logged and never undoes the committed change.
Emits go out after the commit; with a message queue (Redis) they are handed to a background
sender (``fanout``), so a slow publish never holds up the bid or grab that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app, has_app_context

from server import realtime
from server.market import outcomes
from server.market.fanout import Fanout

log = logging.getLogger("haul.market.notify")
fanout = Fanout(lambda item: _send(*item))


def _send(event: str, payload: dict, org_ids: Iterable[int]) -> None:
    try:
        realtime.emit_to_orgs(event, payload, org_ids)
    except Exception:  # the change is committed; a broken fan-out must not turn it into a 500
        log.exception("could not emit %s", event)


def _queued() -> bool:
    """Queue emits when MARKET_EMIT_QUEUE says so; by default when a message queue (Redis) is set, since
    then every emit is a network publish. Without one an emit only fills in-process socket queues."""
    if not has_app_context():
        return False
    config = current_app.config
    return bool(config.get("MARKET_EMIT_QUEUE", bool(config.get("REDIS_URL"))))


def _emit(event: str, payload: dict, org_ids: Iterable[int]) -> None:
    if _queued():
        fanout.submit((event, payload, list(org_ids)))
    else:
        _send(event, payload, org_ids)


def tender_summary(tender, lead_price: float | None = None) -> dict:
    return {"tender_id": tender.id, "load_id": tender.load_id, "seller_id": tender.seller_org_id,
            "mode": tender.mode, "status": tender.status,
            "price": tender.price, "ceiling_price": tender.ceiling_price, "lead_price": lead_price,
            "deadline": tender.deadline.isoformat() if tender.deadline else None}


def tender_opened(tender, carriers: Iterable[int]) -> None:
    carriers = list(carriers)
    _emit("board.tender_opened", tender_summary(tender), [tender.seller_org_id, *carriers])
    outcomes.later(outcomes.tender_opened, tender.id, carriers)


def bid_placed(summary: dict, placed: dict, lead_price: float, lead_changed: bool, carriers: Iterable[int],
               previous_lead: float | None = None) -> None:
    """``summary`` is the tender's summary and ``placed`` the bid (id, carrier, price), both taken before commit.
    ``previous_lead``: the lead before this bid; a carrier holding it is told it was outbid."""
    board = {**summary, "lead_price": lead_price}
    _emit("board.bid", {**board, **placed}, [summary["seller_id"]])
    if lead_changed:
        _emit("board.lead_changed", board, carriers)
    if previous_lead is not None and placed["price"] < previous_lead:
        outcomes.later(outcomes.outbid, summary["tender_id"], placed["carrier_id"], placed["price"], previous_lead)


def tender_awarded(tender, award, carriers: Iterable[int]) -> None:
    payload = tender_summary(tender)
    _emit("board.tender_awarded", payload, [*carriers])
    _emit("board.tender_awarded", {**payload, "award_id": award.id, "carrier_id": award.carrier_org_id,
                                   "award_price": award.price}, [tender.seller_org_id, award.carrier_org_id])
    outcomes.later(outcomes.awarded, tender.id)


def tender_closed(tender, carriers: Iterable[int]) -> None:
    _emit("board.tender_closed", tender_summary(tender), [tender.seller_org_id, *carriers])
    outcomes.later(outcomes.closed_without_award, tender.id)


def award_cancelled(award, load, reason: str) -> None:
    _emit("market.award_cancelled", {"award_id": award.id, "load_id": load.id, "carrier_id": award.carrier_org_id,
                                     "reason": reason}, [load.seller_org_id, load.buyer_org_id, award.carrier_org_id])


def tell_driver(driver_id: int | None, kind: str, payload: dict) -> None:
    if driver_id is None:
        return
    try:
        realtime.driver_inbox.send(driver_id, kind, payload)
    except Exception:
        log.exception("could not tell driver %s of %s", driver_id, kind)
